#include "clients/techniques/technique.hpp"

namespace pushbench {

std::span<const ClientTechnique> client_techniques() {
  static constexpr ClientTechnique registry[] = {
      {"short-poll", make_short_poll},
      {"long-poll", make_long_poll},
      {"sse", make_sse},
      {"websocket", make_websocket},
      {"socketio", make_socketio},
  };
  return registry;
}

}  // namespace pushbench
