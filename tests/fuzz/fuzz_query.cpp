// Request targets and cursors: Target::parse, the cursor and timeout parameters, Last-Event-ID.
// Malformed input must end in BadRequest, nothing else.
#include <cstdint>
#include <string>

#include "core/query.hpp"
#include "servers/cursor_query.hpp"

using namespace pushbench;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::size_t split = input.find('\n');
  const std::string_view target = input.substr(0, split);
  const std::string_view header = split == std::string_view::npos ? "" : input.substr(split + 1);
  static const ServerOptions options;
  try {
    const Target parsed = Target::parse(target);
    since_of(parsed);
    long_poll_timeout_of(parsed, options);
    stream_cursor_of(parsed, header);
  } catch (const BadRequest&) {
  }
  return 0;
}
