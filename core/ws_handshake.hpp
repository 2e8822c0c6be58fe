#pragma once
#include <string>
#include <string_view>

namespace pushbench {

// RFC 6455 section 4.2: the server's half of the opening handshake.

// Whether a Sec-WebSocket-Key is what the RFC asks: base64 of 16 bytes (24 characters).
bool is_websocket_key(std::string_view key);

// Sec-WebSocket-Accept: base64(SHA-1(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")).
std::string websocket_accept(std::string_view key);

// The whole 101 answer for that key.
std::string websocket_switching_protocols(std::string_view key);

}  // namespace pushbench
