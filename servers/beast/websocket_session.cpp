#include "servers/beast/websocket_session.hpp"

#include <array>
#include <boost/asio/post.hpp>

#include "core/clock.hpp"
#include "core/ws_handshake.hpp"
#include "servers/limits.hpp"

namespace pushbench {

namespace {
constexpr std::uint8_t close_opcode = 0x8, ping_opcode = 0x9, pong_opcode = 0xA;
constexpr std::uint16_t going_away = 1001;

std::string close_frame(std::uint16_t code) {
  if (code == 0) return server_frame(close_opcode, {});
  const char body[2] = {static_cast<char>(code >> 8), static_cast<char>(code & 0xff)};
  return server_frame(close_opcode, {body, 2});
}
}  // namespace

WebSocketSession::WebSocketSession(Handover connection, SharedState& state, std::string publisher)
    : StreamSession(
          std::move(connection), state, state.stats().websockets,
          [](const EncodedEvent& event) -> std::string_view { return event.ws; }, ""),
      reader_(state.options().ws_max_message),
      timer_(link_.socket().get_executor()),
      publisher_(std::move(publisher)) {
  boost::system::error_code ec;
  const auto remote = link_.socket().remote_endpoint(ec);
  if (publisher_.empty() && !ec) publisher_ = remote.address().to_string() + ":" + std::to_string(remote.port());
}

void WebSocketSession::start(std::string_view accept_key, std::optional<std::uint64_t> since) {
  subscribe(since, websocket_switching_protocols(accept_key));
  read_frames();
  arm_idle_check();
}

// Waits for readability without a buffer, then reads what is there through a stack buffer: an
// idle connection holds no read buffer.
void WebSocketSession::read_frames() {
  link_.wait_readable([self = shared_from_this(), this](boost::system::error_code ec) {
    if (ec || closed()) return close();
    read_available();
  });
}

// A few reads, then the other connections' turn: a client that keeps sending cannot hold the thread.
void WebSocketSession::read_available() {
  std::array<char, 4096> buffer;
  for (std::size_t reads = 0; reads < limits::max_reads_per_wake; ++reads) {
    boost::system::error_code ec;
    const std::size_t n = link_.read_now(boost::asio::buffer(buffer), ec);
    if (ec == boost::asio::error::would_block || ec == boost::asio::error::interrupted) return read_frames();
    if (ec) return close();
    heard_ = true;
    if (draining_) continue;  // after our close, what the client still sends is read and dropped
    std::string_view in(buffer.data(), n);
    while (!in.empty()) answer(reader_.next(in));
    if (closed()) return;
  }
  boost::asio::post(link_.socket().get_executor(), [self = shared_from_this(), this] {
    if (!closed()) read_available();
  });
}

void WebSocketSession::answer(const ClientFrameReader::Frame& frame) {
  using Kind = ClientFrameReader::Kind;
  switch (frame.kind) {
    case Kind::need_more:
    case Kind::pong:
      return;
    case Kind::text:  // published like POST /publish
      state_.publish(realtime_ns(), frame.payload, publisher_);
      state_.stats().client_messages.fetch_add(1, std::memory_order_relaxed);
      return reader_.release_message();
    case Kind::ping:
      return send(server_frame(pong_opcode, frame.payload));
    case Kind::close:  // echoed, as section 5.5.1 asks
    case Kind::protocol_error:
    case Kind::message_too_big:
    case Kind::invalid_text:
      return end_with(close_frame(frame.close_code));
  }
}

// Only the client's silence counts: the events we send say nothing of whether it is there.
void WebSocketSession::arm_idle_check() {
  if (closed()) return;
  timer_.expires_after(state_.options().ws_idle_timeout / 2);
  timer_.async_wait([self = shared_from_this(), this](boost::system::error_code ec) {
    if (ec || closed() || draining_) return;
    if (heard_) {
      heard_ = pinged_ = false;
    } else if (!pinged_) {
      pinged_ = true;
      send(server_frame(ping_opcode, {}));
    } else {
      return close();  // no answer to the ping: the client is gone
    }
    arm_idle_check();
  });
}

std::string WebSocketSession::goodbye() { return close_frame(going_away); }

// Our close frame went out: no more writes; the client's close and anything before it are read
// and dropped until it closes the TCP connection, for at most --ws-handshake-timeout. Closing at once with unread
// bytes would reset the connection, and the client could lose the close frame.
void WebSocketSession::said_goodbye() {
  draining_ = true;
  link_.shutdown_send();
  timer_.cancel();
  timer_.expires_after(state_.options().ws_handshake_timeout);
  timer_.async_wait([self = shared_from_this(), this](boost::system::error_code ec) {
    if (!ec) close();
  });
}

}  // namespace pushbench
