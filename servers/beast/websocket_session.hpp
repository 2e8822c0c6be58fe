#pragma once
#include <array>
#include <boost/beast/websocket.hpp>

#include "servers/beast/http_session.hpp"
#include "servers/beast/stream_session.hpp"

namespace pushbench {

// A WebSocket connection after the upgrade, on Beast's websocket::stream: one text frame per
// event; Beast answers pings, sends its own as keep-alive, and closes with 1002 on protocol
// errors (an unmasked client frame) and 1009 on a message over --ws-max-message.
class WebSocketSession final : public StreamSession {
 public:
  WebSocketSession(Handover connection, SharedState& state);

  void start(Request request, std::optional<std::uint64_t> since);

 private:
  void write_batch() override;
  void write_frame(std::size_t index, std::size_t bytes_so_far);
  void read_next();
  void close_gracefully() override;
  void cut_off() override;

  beast::websocket::stream<beast::tcp_stream> ws_;
  ConnectionSlot slot_;
  Request request_;  // the upgrade request, until the handshake is answered
  std::array<char, 64> discard_;
};

}  // namespace pushbench
