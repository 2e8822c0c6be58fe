// Server-Sent Events: one long HTTP response of text/event-stream frames; the browser's
// EventSource reconnects by itself and resumes with Last-Event-ID.
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <span>

#include "core/sse_format.hpp"
#include "servers/cursor_query.hpp"
#include "servers/stream_session.hpp"
#include "servers/techniques/technique.hpp"

namespace pushbench {
namespace {

// Response head and retry line. The options do not change while the process runs, so it is
// built once and shared by every stream.
std::string_view preamble(const ServerOptions& options) {
  static const std::string text =
      "HTTP/1.1 200 OK\r\nServer: pushbench\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\n"
      "X-Accel-Buffering: no\r\n\r\n" +
      sse_retry_frame(std::chrono::duration_cast<std::chrono::milliseconds>(options.sse_retry));
  return text;
}

class SseSession final : public StreamSession {
 public:
  SseSession(Handover connection, SharedState& state)
      : StreamSession(state, connection.stream.get_executor(), state.stats().sse_streams),
        socket_(connection.stream.release_socket()),
        slot_(std::move(connection.slot)),
        heartbeat_(executor_) {}

  void start(std::optional<std::uint64_t> since) {
    push(Frame{nullptr, preamble(state_.options())});
    subscribe(since);
    watch_for_close();
    arm_heartbeat(frames_written_);
  }

 private:
  std::string_view encoding(const EncodedEvent& event) const override { return event.sse; }

  // Sends everything queued, up to a bound, in one gathered write.
  void write_queued() override {
    constexpr std::size_t most = 64;
    gather_.clear();
    for (std::size_t i = 0; i < queue_.size() && i < most; ++i) gather_.emplace_back(boost::asio::buffer(queue_[i].bytes));
    boost::asio::async_write(socket_, std::span<const boost::asio::const_buffer>(gather_),
                             [self = shared_from_this(), this, frames = gather_.size()](boost::system::error_code ec,
                                                                                         std::size_t bytes) {
                               if (ec) return end();
                               written(frames, bytes);
                             });
  }

  // The client sends nothing on an event stream; readable means it closed (or sent junk, dropped).
  void watch_for_close() {
    socket_.async_wait(tcp::socket::wait_read, [self = shared_from_this(), this](boost::system::error_code ec) {
      if (ec) return end();
      std::array<char, 512> junk;
      boost::system::error_code read_ec;
      if (socket_.read_some(boost::asio::buffer(junk), read_ec) == 0 || read_ec) return end();
      watch_for_close();
    });
  }

  // A comment after each heartbeat interval in which nothing was written.
  void arm_heartbeat(std::size_t written_before) {
    heartbeat_.expires_after(state_.options().heartbeat);
    heartbeat_.async_wait([self = shared_from_this(), this, written_before](boost::system::error_code ec) {
      if (ec || stopped_) return;
      if (frames_written_ == written_before && queue_.empty()) push(Frame{nullptr, sse_heartbeat_frame});
      arm_heartbeat(frames_written_);
    });
  }

  void end() {
    if (!stopped_) stop();
    heartbeat_.cancel();
    boost::system::error_code ignored;
    socket_.close(ignored);
  }

  void close_gracefully() override {
    boost::system::error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_both, ignored);
    end();
  }

  void cut_off() override { end(); }

  tcp::socket socket_;
  ConnectionSlot slot_;
  boost::asio::steady_timer heartbeat_;
  std::vector<boost::asio::const_buffer> gather_;
};

}  // namespace

void serve_sse(const std::shared_ptr<HttpSession>& session, Request& request, const Target& target) {
  const auto since = stream_cursor_of(target, request["Last-Event-ID"]);
  SharedState& state = session->state();
  std::make_shared<SseSession>(session->take_connection(), state)->start(since);
}

}  // namespace pushbench
