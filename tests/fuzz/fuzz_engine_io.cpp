// The client's Engine.IO / Socket.IO packet reader on any packet, and a polling body of several.
#include <cstdint>
#include <string>

#include "clients/engine_io.hpp"

using namespace pushbench;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  std::string sid;
  std::uint64_t events = 0;
  for (std::size_t at = 0; at <= body.size();) {
    const std::size_t end = std::min(body.find('\x1e', at), body.size());
    engine_io::react(body.substr(at, end - at), sid, [&](const EventFields&) { ++events; });
    at = end + 1;
  }
  return 0;
}
