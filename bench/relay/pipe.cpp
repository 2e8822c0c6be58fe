#include "bench/relay/pipe.hpp"

#include <algorithm>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

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
      read_size_(read_size_for(bytes_per_s)),
      timer_(to.get_executor()) {}

void Pipe::resume() {
  timer_due_ns_ = 0;
  timer_.cancel();
  read();
  pump();
}

void Pipe::read() {
  if (reading_ || eof_ || queued_bytes_ >= max_queued_bytes || owner_.reading_paused(direction_)) return;
  reading_ = true;
  auto chunk = std::make_shared<std::vector<char>>(read_size_);
  from_.async_read_some(boost::asio::buffer(*chunk),
                        [self = owner_.shared_from_this(), this, chunk](boost::system::error_code ec, std::size_t n) {
                          reading_ = false;
                          if (ec == boost::asio::error::eof) {
                            eof_ = true;
                            return finish_if_drained();
                          }
                          if (ec) return owner_.close();
                          chunk->resize(n);
                          on_read(std::move(*chunk), monotonic_ns());
                        });
}

void Pipe::on_read(std::vector<char> chunk, std::int64_t arrived_ns) {
  last_due_ns_ = std::max(arrived_ns + owner_.one_way_delay_ns(), last_due_ns_);
  queued_bytes_ += chunk.size();
  queue_.push_back({std::move(chunk), last_due_ns_});
  read();
  pump();
}

void Pipe::pump() {
  if (writing_ || queue_.empty()) return;
  const Chunk& head = queue_.front();
  const double sending_ns = bytes_per_s_ > 0 ? static_cast<double>(head.bytes.size()) * 1e9 / bytes_per_s_ : 0;
  const std::int64_t send_at = std::max({head.due_ns, owner_.held_until_ns(direction_),
                                         std::max(link_free_ns_, head.due_ns) + static_cast<std::int64_t>(sending_ns)});
  const std::int64_t now = monotonic_ns();
  if (send_at > now) {
    if (timer_due_ns_ == send_at) return;
    timer_due_ns_ = send_at;
    timer_.expires_after(std::chrono::nanoseconds(send_at - now));
    timer_.async_wait([self = owner_.shared_from_this(), this, send_at](boost::system::error_code ec) {
      if (ec || timer_due_ns_ != send_at) return;
      timer_due_ns_ = 0;
      owner_.stats().lateness.record(monotonic_ns() - send_at);
      pump();
    });
    return;
  }
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
