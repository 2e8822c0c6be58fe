#include "servers/beast/byte_stream_session.hpp"

#include <array>
#include <boost/asio/write.hpp>
#include <span>

#include "servers/beast/peer_state.hpp"

namespace pushbench {

ByteStreamSession::ByteStreamSession(Handover connection, SharedState& state, EventStream plan)
    : StreamSession(state, connection.stream.get_executor(), *plan.gauge),
      socket_(connection.stream.release_socket()),
      slot_(std::move(connection.slot)),
      plan_(std::move(plan)),
      head_(Reply::stream_head(plan_.content_type) + plan_.preamble),
      heartbeat_(executor_) {}

void ByteStreamSession::start() {
  control_.push_back(head_);
  subscribe(plan_.since);
  watch_for_close();
  arm_heartbeat(writes_);
  pull();
}

void ByteStreamSession::write_batch() {
  gather_.clear();
  for (const std::string_view bytes : control_) gather_.emplace_back(boost::asio::buffer(bytes));
  for (const EventPtr& event : batch_) {
    gather_.emplace_back(boost::asio::buffer(plan_.encoding(*event)));
    if (!plan_.event_end.empty()) gather_.emplace_back(boost::asio::buffer(plan_.event_end));
  }
  boost::asio::async_write(socket_, std::span<const boost::asio::const_buffer>(gather_),
                           [self = shared_from_this(), this](boost::system::error_code ec, std::size_t bytes) {
                             if (ec) return end();
                             written(bytes);
                           });
}

// The client sends nothing on a stream; readable means it closed (or sent junk, dropped).
void ByteStreamSession::watch_for_close() {
  socket_.async_wait(tcp::socket::wait_read, [self = shared_from_this(), this](boost::system::error_code ec) {
    if (ec) return end();
    switch (peer_state(socket_.native_handle())) {
      case PeerState::gone:
        return end();
      case PeerState::quiet:
        return watch_for_close();
      case PeerState::sent_bytes:
        break;
    }
    std::array<char, 512> junk;
    ::recv(socket_.native_handle(), junk.data(), junk.size(), MSG_DONTWAIT);  // dropped, never waited for
    watch_for_close();
  });
}

// The heartbeat after each interval in which nothing was written.
void ByteStreamSession::arm_heartbeat(std::size_t writes_before) {
  heartbeat_.expires_after(state_.options().heartbeat);
  heartbeat_.async_wait([self = shared_from_this(), this, writes_before](boost::system::error_code ec) {
    if (ec || stopped_) return;
    if (writes_ == writes_before && !writing_) {
      control_.push_back(plan_.heartbeat);
      pull();
    }
    arm_heartbeat(writes_);
  });
}

void ByteStreamSession::end() {
  if (!stopped_) stop();
  heartbeat_.cancel();
  boost::system::error_code ignored;
  socket_.close(ignored);
}

// The farewell (pull() calls this with no write in flight), then the end of the response.
void ByteStreamSession::close_gracefully() {
  if (plan_.farewell.empty()) return finish_response();
  boost::asio::async_write(
      socket_, boost::asio::buffer(plan_.farewell),
      [self = shared_from_this(), this](boost::system::error_code, std::size_t) { finish_response(); });
}

void ByteStreamSession::finish_response() {
  boost::system::error_code ignored;
  socket_.shutdown(tcp::socket::shutdown_both, ignored);
  end();
}

}  // namespace pushbench
