// The client's text/event-stream parser on any bytes, split into chunks where the input says:
// the events must not depend on the split.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "core/sse_parser.hpp"

using namespace pushbench;

namespace {

std::vector<std::string> events_of(std::string_view stream, std::size_t chunk) {
  SseParser parser;
  std::vector<std::string> out;
  for (std::size_t at = 0; at < stream.size(); at += chunk) {
    parser.feed(stream.substr(at, chunk), [&](const SseParser::Event& e) {
      out.push_back(std::string(e.type) + '\0' + std::string(e.data) + '\0' + std::string(e.last_event_id));
    });
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::size_t chunk = 1 + data[0] % 64;  // the first byte picks the split
  const std::string_view stream(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (events_of(stream, chunk) != events_of(stream, stream.size() + 1)) std::abort();
  return 0;
}
