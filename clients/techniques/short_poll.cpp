// Ajax short polling, open loop: connection i of N polls at anchor + (i/N + k) * interval, so
// that the polls are spread evenly over the interval; a poll whose time has passed before the
// previous answer came is sent at once and counted late, never skipped (as wrk2 does).
// --poll-interval 0 polls back-to-back instead (closed loop).
#include "clients/poll_connection.hpp"
#include "clients/techniques/technique.hpp"

namespace pushbench {
namespace {

class ShortPoll final : public PollConnection {
 public:
  ShortPoll(Worker& worker, std::size_t index) : PollConnection(worker, index), timer_(worker.ioc()) {
    const ClientOptions& o = worker.options();
    phase_ = std::chrono::nanoseconds(
        static_cast<std::int64_t>(static_cast<double>(o.poll_interval.count()) * static_cast<double>(index) /
                                  static_cast<double>(o.connections)));
    prepare(endpoint_target(), o.timeout);  // no cursor: the answer gives the one to start from
  }

 private:
  void on_answer(std::string_view body) override {
    if (!read_answer(body)) return;
    const auto interval = worker_.options().poll_interval;
    if (interval.count() == 0 || !caught_up()) return poll_now();  // more may be waiting
    const auto now = std::chrono::steady_clock::now();
    const auto anchor = worker_.schedule().start + phase_;
    if (!scheduled_) {  // the first slot after the connecting poll
      tick_ = (now - anchor) / interval + 1;
      scheduled_ = true;
    } else {
      ++tick_;
    }
    const auto due = anchor + tick_ * interval;
    if (due <= now) {
      if (worker_.counting()) ++worker_.metrics().late_polls;
      return poll_now();
    }
    timer_.expires_at(due);
    timer_.async_wait([self = shared_from_this(), this](boost::system::error_code ec) {
      if (!ec) poll_now();
    });
  }

  void poll_now() { poll(after_cursor(), worker_.options().timeout); }

  boost::asio::steady_timer timer_;
  std::chrono::nanoseconds phase_;
  std::int64_t tick_ = 0;
  bool scheduled_ = false;
};

}  // namespace

std::shared_ptr<Connection> connect_short_poll(Worker& worker, std::size_t index) {
  return std::make_shared<ShortPoll>(worker, index);
}

}  // namespace pushbench
