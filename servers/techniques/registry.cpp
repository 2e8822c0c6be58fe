#include "servers/techniques/technique.hpp"

namespace pushbench {

std::span<const Technique> techniques() {
  static constexpr Technique registry[] = {
      {"short-poll", "/poll", serve_short_poll},
      {"long-poll", "/long-poll", serve_long_poll},
      {"sse", "/sse", serve_sse},
      {"websocket", "/ws", serve_websocket},
  };
  return registry;
}

}  // namespace pushbench
