#include "servers/beast/websocket_session.hpp"

#include "core/ws_frame.hpp"

namespace pushbench {

namespace websocket = beast::websocket;

WebSocketSession::WebSocketSession(Handover connection, SharedState& state)
    : StreamSession(state, connection.stream.get_executor(), state.stats().websockets),
      ws_(std::move(connection.stream)),
      slot_(std::move(connection.slot)) {}

void WebSocketSession::start(Request request, std::optional<std::uint64_t> since) {
  const ServerOptions& options = state_.options();
  beast::get_lowest_layer(ws_).expires_never();  // the websocket timeouts below take over
  ws_.set_option(websocket::stream_base::timeout{options.ws_handshake_timeout, options.ws_idle_timeout, true});
  ws_.read_message_max(options.ws_max_message);
  ws_.auto_fragment(false);  // one frame per event
  ws_.text(true);
  request_ = std::move(request);
  // Subscribed before the 101 goes out, so a client that sees the handshake done misses nothing.
  writing_ = true;
  subscribe(since);
  ws_.async_accept(request_, [self = shared_from_this(), this](beast::error_code ec) {
    request_ = {};
    if (ec) return stop();
    writing_ = false;
    pull();
    read_next();
  });
}

void WebSocketSession::write_batch() { write_frame(0, 0); }

// Beast writes one message per call, so the batch goes out frame by frame.
void WebSocketSession::write_frame(std::size_t index, std::size_t bytes_so_far) {
  if (index == batch_.size()) return written(bytes_so_far);
  const std::string_view json = batch_[index]->json;
  ws_.async_write(boost::asio::buffer(json),
                  [self = shared_from_this(), this, index, bytes_so_far](beast::error_code ec, std::size_t bytes) {
                    if (ec) return stop();
                    write_frame(index + 1, bytes_so_far + bytes + frame_header_size(bytes, false));
                  });
}

// Clients have nothing to say here, but reading is what answers their pings and close; what
// they send is dropped through a small buffer, so an idle connection holds no read buffer.
void WebSocketSession::read_next() {
  ws_.async_read_some(boost::asio::buffer(discard_),
                      [self = shared_from_this(), this](beast::error_code ec, std::size_t) {
                        if (ec) return stop();
                        read_next();
                      });
}

void WebSocketSession::close_gracefully() {
  if (!ws_.is_open()) return cut_off();
  ws_.async_close(websocket::close_code::going_away, [self = shared_from_this()](beast::error_code) {});
}

void WebSocketSession::cut_off() { beast::get_lowest_layer(ws_).close(); }

}  // namespace pushbench
