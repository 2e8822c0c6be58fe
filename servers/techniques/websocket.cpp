// WebSocket: an HTTP Upgrade, then one text frame per event on a full-duplex connection kept
// alive by pings; Beast closes with 1002 on protocol errors (an unmasked client frame) and 1009
// on a message over the limit.
#include <array>
#include <boost/beast/websocket.hpp>

#include "core/ws_frame.hpp"
#include "servers/cursor_query.hpp"
#include "servers/stream_session.hpp"
#include "servers/techniques/technique.hpp"

namespace pushbench {
namespace {

namespace websocket = beast::websocket;

class WebSocketSession final : public StreamSession {
 public:
  WebSocketSession(Handover connection, SharedState& state)
      : StreamSession(state, connection.stream.get_executor(), state.stats().websockets),
        ws_(std::move(connection.stream)),
        slot_(std::move(connection.slot)) {}

  void start(Request request, std::optional<std::uint64_t> since) {
    const ServerOptions& options = state_.options();
    beast::get_lowest_layer(ws_).expires_never();  // the websocket timeouts below take over
    ws_.set_option(websocket::stream_base::timeout{options.ws_handshake_timeout, options.ws_idle_timeout, true});
    ws_.read_message_max(options.ws_max_message);
    ws_.auto_fragment(false);  // one frame per event
    request_ = std::move(request);
    // Subscribed before the 101 goes out, so a client that sees the handshake done misses nothing.
    hold_writes();
    subscribe(since);
    ws_.async_accept(request_, [self = shared_from_this(), this](beast::error_code ec) {
      request_ = {};
      if (ec) return stop();
      release_writes();
      read_next();
    });
  }

 private:
  std::string_view encoding(const EncodedEvent& event) const override { return event.json; }

  void write_queued() override {
    ws_.text(true);
    ws_.async_write(boost::asio::buffer(queue_.front().bytes),
                    [self = shared_from_this(), this](beast::error_code ec, std::size_t bytes) {
                      if (ec) return stop();
                      written(1, bytes + frame_header_size(bytes, false));
                    });
  }

  // Clients have nothing to say here, but reading is what answers their pings and close; what
  // they send is dropped through a small buffer, so an idle connection holds no read buffer.
  void read_next() {
    ws_.async_read_some(boost::asio::buffer(discard_), [self = shared_from_this(), this](beast::error_code ec, std::size_t) {
      if (ec) return stop();
      read_next();
    });
  }

  void close_gracefully() override {
    if (!ws_.is_open()) return cut_off();
    ws_.async_close(websocket::close_code::going_away, [self = shared_from_this()](beast::error_code) {});
  }

  void cut_off() override { beast::get_lowest_layer(ws_).close(); }

  websocket::stream<beast::tcp_stream> ws_;
  ConnectionSlot slot_;
  Request request_;  // the upgrade request, until the handshake is answered
  std::array<char, 64> discard_;
};

}  // namespace

void serve_websocket(const std::shared_ptr<HttpSession>& session, Request& request, const Target& target) {
  if (!websocket::is_upgrade(request)) return session->send(Reply::error(426, "this endpoint needs a WebSocket upgrade").header("Upgrade", "websocket"));
  const auto since = since_of(target);
  SharedState& state = session->state();
  std::make_shared<WebSocketSession>(session->take_connection(), state)->start(std::move(request), since);
}

}  // namespace pushbench
