// WebSocket: an HTTP Upgrade (RFC 6455 section 4), then one text frame per event on a full-duplex
// connection kept alive by pings (the framing is the backend's: servers/beast/websocket_session.cpp).
#include "core/ascii.hpp"
#include "core/ws_handshake.hpp"
#include "servers/cursor_query.hpp"
#include "servers/techniques/technique.hpp"

namespace pushbench {

void serve_websocket(Exchange& exchange, const Target& target) {
  const bool upgrade = contains_token(exchange.header("Connection"), "upgrade") &&
                       equals_ignoring_case(exchange.header("Upgrade"), "websocket");
  if (!upgrade) {
    return exchange.answer(Reply::error(426, "this endpoint needs a WebSocket upgrade").header("Upgrade", "websocket"));
  }
  if (exchange.header("Sec-WebSocket-Version") != "13") {  // section 4.4: say which version we speak
    return exchange.answer(Reply::error(426, "Sec-WebSocket-Version must be 13").header("Sec-WebSocket-Version", "13"));
  }
  if (!is_websocket_key(exchange.header("Sec-WebSocket-Key"))) {
    return exchange.answer(Reply::error(400, "Sec-WebSocket-Key must be the base64 of 16 bytes"));
  }
  // A browser sends a page's cookies with a cross-site upgrade, and no same-origin policy stops
  // it reading the socket: the Origin check is the server's (RFC 6455 section 10.2).
  if (!exchange.state().options().origin_allowed(exchange.header("Origin"))) {
    return exchange.answer(Reply::error(403, "this Origin may not open a WebSocket here (--allowed-origins)"));
  }
  exchange.upgrade_websocket(since_of(target), publisher_of(target));
}

}  // namespace pushbench
