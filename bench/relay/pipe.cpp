#include "bench/relay/pipe.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <cerrno>
#include <cstring>

#include "bench/relay/relay_stats.hpp"
#include "bench/relay/relayed_connection.hpp"
#include "core/clock.hpp"

namespace pushbench::relay {

namespace {

// A read takes at most 5 ms of the link's bandwidth, so pacing stays smooth at low rates.
std::size_t read_size_for(double bytes_per_s) {
  constexpr std::size_t smallest = 1460, largest = 64 * 1024;
  if (bytes_per_s <= 0) return largest;
  return std::clamp(static_cast<std::size_t>(bytes_per_s * 0.005), smallest, largest);
}

}  // namespace

Pipe::Pipe(RelayedConnection& owner, Direction direction, boost::asio::ip::tcp::socket& from,
           boost::asio::ip::tcp::socket& to, double bytes_per_s)
    : owner_(owner),
      direction_(direction),
      from_(from),
      to_(to),
      bytes_per_s_(bytes_per_s),
      read_buffer_(read_size_for(bytes_per_s)) {}

void Pipe::resume() {
  wake_due_ns_ = 0;
  read();
  pump();
}

void Pipe::wake(std::int64_t due_ns) {
  if (due_ns != wake_due_ns_) return;
  wake_due_ns_ = 0;
  pump(true);
}

void Pipe::read() {
  if (reading_ || eof_ || queued_bytes_ >= max_queued_bytes || owner_.reading_paused(direction_)) return;
  reading_ = true;
  from_.async_wait(boost::asio::ip::tcp::socket::wait_read,
                   [self = owner_.shared_from_this(), this](boost::system::error_code ec) {
                     reading_ = false;
                     if (ec) return owner_.close();
                     read_now();
                   });
}

// recvmsg with the kernel's receive time (SO_TIMESTAMPNS): bytes that waited in the socket while
// the relay was busy have already served that wait as part of their delay.
void Pipe::read_now() {
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(timespec))];
  iovec into{read_buffer_.data(), read_buffer_.size()};
  msghdr message{};
  message.msg_iov = &into;
  message.msg_iovlen = 1;
  message.msg_control = control;
  message.msg_controllen = sizeof control;
  const ssize_t n = ::recvmsg(from_.native_handle(), &message, MSG_DONTWAIT);
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return read();
  if (n < 0) return owner_.close();
  if (n == 0) {
    eof_ = true;
    return finish_if_drained();
  }
  std::int64_t arrived_ns = monotonic_ns();
  for (cmsghdr* c = CMSG_FIRSTHDR(&message); c; c = CMSG_NXTHDR(&message, c)) {
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
      timespec at{};
      std::memcpy(&at, CMSG_DATA(c), sizeof at);
      const std::int64_t waited = realtime_ns() - (std::int64_t{at.tv_sec} * 1'000'000'000 + at.tv_nsec);
      arrived_ns -= std::clamp<std::int64_t>(waited, 0, arrived_ns);
    }
  }
  on_read(static_cast<std::size_t>(n), arrived_ns);
}

void Pipe::on_read(std::size_t bytes, std::int64_t arrived_ns) {
  last_due_ns_ = std::max(arrived_ns + owner_.one_way_delay_ns(), last_due_ns_);
  queued_bytes_ += bytes;
  queue_.push_back({{read_buffer_.begin(), read_buffer_.begin() + static_cast<std::ptrdiff_t>(bytes)}, last_due_ns_});
  read();
  pump();
}

void Pipe::pump(bool woken) {
  if (writing_ || queue_.empty()) return;
  const Chunk& head = queue_.front();
  const double sending_ns = bytes_per_s_ > 0 ? static_cast<double>(head.bytes.size()) * 1e9 / bytes_per_s_ : 0;
  const std::int64_t send_at = std::max({head.due_ns, owner_.held_until_ns(direction_),
                                         std::max(link_free_ns_, head.due_ns) + static_cast<std::int64_t>(sending_ns)});
  const std::int64_t now = monotonic_ns();
  if (send_at > now) {
    if (wake_due_ns_ != send_at) {
      wake_due_ns_ = send_at;
      owner_.wake_at(send_at, direction_);
    }
    return;
  }
  if (woken) owner_.stats().lateness.record(now - send_at);
  link_free_ns_ = send_at;
  writing_ = true;
  boost::asio::async_write(to_, boost::asio::buffer(head.bytes),
                           [self = owner_.shared_from_this(), this](boost::system::error_code ec, std::size_t n) {
                             writing_ = false;
                             if (ec) return owner_.close();
                             (direction_ == Direction::down ? owner_.stats().bytes_down : owner_.stats().bytes_up) += n;
                             queued_bytes_ -= queue_.front().bytes.size();
                             queue_.pop_front();
                             read();
                             pump();
                             finish_if_drained();
                           });
}

void Pipe::finish_if_drained() {
  if (!eof_ || writing_ || !queue_.empty()) return;
  boost::system::error_code ignored;
  to_.shutdown(boost::asio::ip::tcp::socket::shutdown_send, ignored);
  owner_.pipe_finished();
}

}  // namespace pushbench::relay
