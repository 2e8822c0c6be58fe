// Command-line flags and the units they take: any argv (NUL-separated words) parses or names a
// problem; sizes, durations and numbers parse or say no.
#include <cstdint>
#include <string>
#include <vector>

#include "core/flags.hpp"
#include "core/units.hpp"

using namespace pushbench;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  std::vector<std::string_view> args;
  for (std::size_t at = 0; at <= input.size();) {
    const std::size_t end = std::min(input.find('\0', at), input.size());
    args.push_back(std::string_view(input).substr(at, end - at));
    parse_size(args.back());
    parse_duration(args.back());
    parse_decimal(args.back());
    parse_uint(args.back());
    at = end + 1;
  }
  std::string text = "sse";
  std::uint64_t count = 0, bytes = 0;
  double rate = 0;
  std::chrono::nanoseconds timeout{};
  bool on = false;
  Flags flags("fuzz", "[flags]");
  flags.text("text", &text, "one of", {"sse", "websocket"})
      .uint("count", &count, "count", 0, 1000)
      .size("bytes", &bytes, "bytes", 0, 1 << 30)
      .decimal("rate", &rate, "rate", 0, 1e6)
      .duration("timeout", &timeout, "timeout", std::chrono::milliseconds(1), std::chrono::hours(1))
      .toggle("on", &on, "on");
  bool help = false;
  flags.parse(args, help);
  return 0;
}
