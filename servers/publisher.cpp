#include "servers/publisher.hpp"

#include <boost/asio/post.hpp>
#include <cmath>

#include "core/clock.hpp"
#include "servers/limits.hpp"

namespace pushbench {

std::string make_payload(std::size_t size, PayloadKind kind) {
  static constexpr std::string_view alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::string data(size, ' ');
  for (std::size_t i = 0; i < size; ++i)
    data[i] = kind == PayloadKind::binary ? static_cast<char>(i * 37 % 256) : alphabet[i % alphabet.size()];
  return data;
}

Publisher::Publisher(boost::asio::any_io_executor executor, SharedState& state)
    : state_(state),
      timer_(std::move(executor)),
      kind_(state.options().payload_kind == "binary" ? PayloadKind::binary : PayloadKind::text) {}

void Publisher::start(double rate, std::size_t payload) {
  rate_ = rate;
  rate_shown_.store(rate, std::memory_order_relaxed);
  payload_ = payload;
  data_ = make_payload(payload, kind_);
  t0_ = std::chrono::steady_clock::now();
  t0_realtime_ns_ = realtime_ns();
  next_index_ = 0;
  if (rate > 0) wait_for_next();
}

// On the publisher's own strand, as set_rate: a stop signal's thread must not touch the timer.
void Publisher::stop() {
  boost::asio::post(timer_.get_executor(), [this] { timer_.cancel(); });
}

void Publisher::set_rate(double rate) {
  boost::asio::post(timer_.get_executor(), [this, rate] {
    timer_.cancel();
    rate_shown_.store(rate, std::memory_order_relaxed);
    if (rate > 0) start(rate, payload_);
  });
}

std::chrono::nanoseconds Publisher::offset(std::uint64_t index) const {
  return std::chrono::nanoseconds(std::llround(static_cast<double>(index) * 1e9 / rate_));
}

void Publisher::wait_for_next() {
  timer_.expires_at(t0_ + offset(next_index_));
  timer_.async_wait([this](boost::system::error_code ec) {
    if (!ec) publish_due();
  });
}

void Publisher::publish_due() {
  // Bounded per tick so that a long stall (a stopped process) cannot monopolise a thread.
  const auto now = std::chrono::steady_clock::now();
  for (std::size_t i = 0; i < limits::publish_burst && t0_ + offset(next_index_) <= now; ++i, ++next_index_) {
    state_.publish(t0_realtime_ns_ + offset(next_index_).count(), data_, {}, kind_);
  }
  wait_for_next();
}

}  // namespace pushbench
