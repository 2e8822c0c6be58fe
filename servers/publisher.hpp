#pragma once
#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <string>

#include "servers/shared_state.hpp"

namespace pushbench {

// The built-in open-loop publisher: event i is due at t0 + i/R and carries that scheduled time as
// its ts, whenever it actually goes out. Late ticks publish every overdue event at once, so the
// schedule never drifts and delay shows up as latency instead of vanishing.
class Publisher {
 public:
  Publisher(boost::asio::any_io_executor executor, SharedState& state);

  void start(double rate, std::size_t payload);
  void stop();
  // From any thread: restart the schedule at `rate` events/s (0 stops it).
  void set_rate(double rate);
  double rate() const { return rate_shown_.load(std::memory_order_relaxed); }

 private:
  void wait_for_next();
  void publish_due();
  std::chrono::nanoseconds offset(std::uint64_t index) const;

  SharedState& state_;
  boost::asio::steady_timer timer_;
  const PayloadKind kind_;  // --payload-kind
  std::string data_;
  double rate_ = 0;
  std::size_t payload_ = 0;
  std::atomic<double> rate_shown_{0};
  std::chrono::steady_clock::time_point t0_;
  std::int64_t t0_realtime_ns_ = 0;
  std::uint64_t next_index_ = 0;
};

// The payload of every built-in event: `size` printable bytes, or `size` bytes of every value.
std::string make_payload(std::size_t size, PayloadKind kind = PayloadKind::text);

}  // namespace pushbench
