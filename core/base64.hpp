#pragma once
#include <string>
#include <string_view>

namespace pushbench {

// RFC 4648 base64 with padding: how binary event data travels in JSON (SSE, polls, HTTP streaming).
std::string base64(std::string_view bytes);

}  // namespace pushbench
