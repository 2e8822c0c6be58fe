#pragma once
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>

namespace pushbench {

// A connection's deadline that requests move often and rarely reach: one timer, re-armed only
// when it would fire too late; when it fires early it waits again for the rest. A timer
// re-armed per request costs a timer-queue update and a clock read each time; this costs a
// clock read.
class Deadline {
 public:
  explicit Deadline(const boost::asio::any_io_executor& executor) : timer_(executor) {}

  // `on_expired` runs once, if `timeout` from now passes before the next set() or clear(); it is
  // held while the timer waits, so it may keep its owner alive.
  template <typename OnExpired>
  void set(std::chrono::nanoseconds timeout, OnExpired on_expired) {
    deadline_ = std::chrono::steady_clock::now() + timeout;
    if (!armed_ || timer_.expiry() > deadline_) wait(std::move(on_expired));
  }
  // No deadline until the next set(); a waiting timer lets go of its handler when it fires.
  void clear() { deadline_ = never; }
  // For good: the timer lets go of its handler now.
  void cancel() {
    clear();
    armed_ = false;
    timer_.cancel();
  }

 private:
  static constexpr auto never = std::chrono::steady_clock::time_point::max();

  template <typename OnExpired>
  void wait(OnExpired on_expired) {
    armed_ = true;
    timer_.expires_at(deadline_);  // cancels a wait for a later expiry
    timer_.async_wait([this, on_expired = std::move(on_expired)](boost::system::error_code ec) mutable {
      if (ec == boost::asio::error::operation_aborted) return;  // replaced or cancelled
      armed_ = false;
      if (deadline_ == never) return;
      if (std::chrono::steady_clock::now() < deadline_) return wait(std::move(on_expired));
      on_expired();
    });
  }

  boost::asio::steady_timer timer_;
  std::chrono::steady_clock::time_point deadline_ = never;
  bool armed_ = false;
};

}  // namespace pushbench
