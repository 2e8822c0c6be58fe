#include "servers/beast/byte_stream_session.hpp"

#include <array>

namespace pushbench {

ByteStreamSession::ByteStreamSession(Handover connection, SharedState& state, EventStream plan)
    : StreamSession(std::move(connection), state, *plan.gauge, plan.encoding, plan.event_end),
      plan_(std::move(plan)),
      heartbeat_(link_.socket().get_executor()) {}

void ByteStreamSession::start() {
  subscribe(plan_.since, Reply::stream_head(plan_.content_type) + plan_.preamble);
  watch_for_close();
  arm_heartbeat(writes_);
}

// The client sends nothing on a stream; readable means it closed (or sent junk, dropped).
void ByteStreamSession::watch_for_close() {
  link_.wait_readable([self = shared_from_this(), this](boost::system::error_code ec) {
    if (ec || closed()) return close();
    switch (link_.peer_state()) {
      case PeerState::gone:
        return close();
      case PeerState::quiet:
        return watch_for_close();
      case PeerState::sent_bytes:
        break;
    }
    std::array<char, 512> junk;
    boost::system::error_code dropped;
    link_.read_now(boost::asio::buffer(junk), dropped);  // never waited for
    watch_for_close();
  });
}

// The heartbeat after each interval in which nothing was written.
void ByteStreamSession::arm_heartbeat(std::size_t writes_before) {
  if (closed()) return;
  heartbeat_.expires_after(state_.options().heartbeat);
  heartbeat_.async_wait([self = shared_from_this(), this, writes_before](boost::system::error_code ec) {
    if (ec || closed()) return;
    if (writes_ == writes_before && !writing_) send(std::string(plan_.heartbeat));
    arm_heartbeat(writes_);
  });
}

// The farewell went out: the end of the response.
void ByteStreamSession::said_goodbye() {
  link_.shutdown_send();
  close();
}

}  // namespace pushbench
