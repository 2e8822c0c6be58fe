#include "clients/worker.hpp"

#include <ctime>

#include "clients/connection.hpp"
#include "clients/limits.hpp"
#include "clients/techniques/technique.hpp"
#include "clients/wire.hpp"
#include "core/clock.hpp"

namespace pushbench {
namespace {

double thread_cpu_s() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

std::chrono::steady_clock::time_point start_of(const ClientOptions& options, const Schedule& schedule,
                                               std::size_t index) {
  if (options.connect_rate <= 0) return schedule.start;
  return schedule.start +
         std::chrono::nanoseconds(static_cast<std::int64_t>(static_cast<double>(index) * 1e9 / options.connect_rate));
}

constexpr auto lag_tick = client_limits::loop_lag_tick;

}  // namespace

Worker::Worker(const ClientOptions& options, const ClientTechnique& technique, boost::asio::ip::tcp::endpoint endpoint,
               Schedule schedule, std::size_t first_index, std::size_t count, Trace* trace)
    : options_(options),
      technique_(technique),
      endpoint_(std::move(endpoint)),
      schedule_(schedule),
      first_index_(first_index),
      count_(count),
      trace_(trace),
      tls_(make_client_tls(options)),
      ramp_timer_(ioc_),
      window_timer_(ioc_),
      lag_timer_(ioc_) {
  connections_.reserve(count);
}

Worker::~Worker() {
  connections_.clear();  // before the io_context, whose pending handlers still refer to them
}

WireTap Worker::tap_for(std::size_t index) {
  return WireTap{&metrics_.bytes_in, &metrics_.bytes_out, &counting_, index == 0 ? trace_ : nullptr};
}

void Worker::run() {
  open_due_connections();
  window_timer_.expires_at(schedule_.window_begin);
  window_timer_.async_wait([this](boost::system::error_code ec) {
    if (!ec) begin_window();
  });
  ioc_.run();
}

void Worker::open_due_connections() {
  const auto now = std::chrono::steady_clock::now();
  while (connections_.size() < count_) {
    const std::size_t index = first_index_ + connections_.size();
    const auto due = start_of(options_, schedule_, index);
    if (due > now) {
      ramp_timer_.expires_at(due);
      ramp_timer_.async_wait([this](boost::system::error_code ec) {
        if (!ec) open_due_connections();
      });
      return;
    }
    connections_.push_back(technique_.connect(*this, index));
    connections_.back()->start();
  }
}

void Worker::begin_window() {
  counting_ = true;
  window_begin_realtime_ns_ = realtime_ns();
  window_end_realtime_ns_ =
      window_begin_realtime_ns_ +
      std::chrono::duration_cast<std::chrono::nanoseconds>(schedule_.window_end - schedule_.window_begin).count();
  cpu_at_begin_s_ = thread_cpu_s();
  watch_loop_lag(std::chrono::steady_clock::now() + lag_tick);
  window_timer_.expires_at(schedule_.window_end);
  window_timer_.async_wait([this](boost::system::error_code ec) {
    if (!ec) end_window();
  });
}

void Worker::end_window() {
  counting_ = false;
  metrics_.cpu_s = thread_cpu_s() - cpu_at_begin_s_;
  metrics_.window_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - schedule_.window_begin).count();
  metrics_.busiest_thread_cpu = metrics_.window_s > 0 ? metrics_.cpu_s / metrics_.window_s : 0;
  lag_timer_.cancel();
  ramp_timer_.cancel();
  if (options_.drain.count() > 0 && caught_up_ < connections_.size()) {
    draining_ = true;
    window_timer_.expires_after(options_.drain);
    window_timer_.async_wait([this](boost::system::error_code ec) {
      if (!ec) stop();
    });
    return;
  }
  stop();
}

bool Worker::counts_event(std::int64_t ts, bool& caught_up) const {
  if (options_.drain.count() == 0) return counting_;
  // With a drain the window is the events': those published in it, received in it or late.
  if (!counting_ && !draining_) return false;
  caught_up = ts > window_end_realtime_ns_;
  return ts >= window_begin_realtime_ns_ && !caught_up;
}

void Worker::connection_caught_up() {
  if (++caught_up_ == connections_.size() && draining_) {
    window_timer_.cancel();
    stop();
  }
}

void Worker::stop() {
  draining_ = false;
  for (const auto& connection : connections_) connection->finish();
  // A moment for the close handshakes, then the loop ends whatever is left.
  window_timer_.expires_after(std::chrono::milliseconds(200));
  window_timer_.async_wait([this](boost::system::error_code) { ioc_.stop(); });
}

// A timer that should fire every 10 ms: how late it fires is how busy this thread's loop is.
void Worker::watch_loop_lag(std::chrono::steady_clock::time_point expected) {
  lag_timer_.expires_at(expected);
  lag_timer_.async_wait([this, expected](boost::system::error_code ec) {
    if (ec) return;
    const auto now = std::chrono::steady_clock::now();
    metrics_.loop_lag_max_s = std::max(metrics_.loop_lag_max_s, std::chrono::duration<double>(now - expected).count());
    watch_loop_lag(now + lag_tick);
  });
}

}  // namespace pushbench
