#pragma once
#include <string>
#include <string_view>

namespace pushbench {

// Appends `text` as a quoted JSON string: quotes, backslashes and control characters escaped,
// UTF-8 passed through unchanged.
void append_json_string(std::string& out, std::string_view text);

std::string json_error(std::string_view message);  // {"error":"..."}

bool is_valid_utf8(std::string_view text);

}  // namespace pushbench
