// WebSocket: an HTTP Upgrade, then one text frame per event on a full-duplex connection kept
// alive by pings (the session itself is the backend's: servers/beast/websocket_session.cpp).
#include "core/ascii.hpp"
#include "servers/cursor_query.hpp"
#include "servers/techniques/technique.hpp"

namespace pushbench {

void serve_websocket(Exchange& exchange, const Target& target) {
  const bool upgrade = contains_token(exchange.header("Connection"), "upgrade") &&
                       equals_ignoring_case(exchange.header("Upgrade"), "websocket");
  if (!upgrade) {
    return exchange.answer(Reply::error(426, "this endpoint needs a WebSocket upgrade").header("Upgrade", "websocket"));
  }
  exchange.upgrade_websocket(since_of(target));
}

}  // namespace pushbench
