#include "bench/relay/relay_thread.hpp"

#include <boost/asio/post.hpp>
#include <cmath>

#include "bench/relay/relayed_connection.hpp"
#include "core/clock.hpp"

namespace pushbench::relay {

using boost::asio::ip::tcp;

RelayThread::RelayThread(const RelayOptions& options, const tcp::endpoint& listen, const tcp::endpoint& target,
                         std::int64_t started_ns, std::uint64_t seed)
    : options_(options),
      target_(target),
      started_ns_(started_ns),
      acceptor_(ioc_),
      reset_timer_(ioc_),
      wake_timer_(ioc_),
      random_(seed) {
  acceptor_.open(listen.protocol());
  acceptor_.set_option(tcp::acceptor::reuse_address(true));
  const int on = 1;  // every thread accepts on the same port; the kernel spreads the connections
  ::setsockopt(acceptor_.native_handle(), SOL_SOCKET, SO_REUSEPORT, &on, sizeof on);
  acceptor_.bind(listen);
  acceptor_.listen(boost::asio::socket_base::max_listen_connections);
}

void RelayThread::start() {
  accept();
  plan_next_reset();
}

void RelayThread::stop() {
  boost::asio::post(ioc_, [this] {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    reset_timer_.cancel();
    wake_timer_.cancel();
    wake_ups_ = {};
    for (auto copy = live_; auto& connection : copy) connection->close();
  });
}

std::int64_t RelayThread::uniform_ns(std::int64_t low, std::int64_t high) {
  if (low >= high) return low;
  return std::uniform_int_distribution<std::int64_t>(low, high)(random_);
}

std::int64_t RelayThread::exponential_ns(std::int64_t mean) {
  return static_cast<std::int64_t>(std::exponential_distribution<double>(1.0 / static_cast<double>(mean))(random_));
}

void RelayThread::accept() {
  acceptor_.async_accept([this](boost::system::error_code ec, tcp::socket client) {
    if (ec == boost::asio::error::operation_aborted || !acceptor_.is_open()) return;
    if (!ec) {
      ++stats_.accepted;
      // Exactly the asked fraction of connections, spread evenly: the k-th is stuck when
      // floor((k + 1) * f) passes an integer.
      const double f = options_.faults.stuck_readers;
      const bool stuck =
          std::floor(static_cast<double>(accepted_ + 1) * f) > std::floor(static_cast<double>(accepted_) * f);
      ++accepted_;
      auto connection = std::make_shared<RelayedConnection>(*this, std::move(client), stuck);
      connection->slot = live_.size();
      live_.push_back(connection);
      connection->start();
    }
    accept();
  });
}

// Threads share the resets: each resets at N times the mean interval, so together they keep it.
void RelayThread::plan_next_reset() {
  const auto every = options_.faults.reset_every.count();
  if (every == 0) return;
  reset_timer_.expires_after(
      std::chrono::nanoseconds(exponential_ns(every * static_cast<std::int64_t>(options_.threads))));
  reset_timer_.async_wait([this](boost::system::error_code ec) {
    if (ec) return;
    const FaultPlan& faults = options_.faults;
    const auto since_start = std::chrono::nanoseconds(monotonic_ns() - started_ns_);
    const bool in_window =
        since_start >= faults.resets_from && (faults.resets_until.count() == 0 || since_start < faults.resets_until);
    if (in_window && !live_.empty()) {
      const auto pick = static_cast<std::size_t>(uniform_ns(0, static_cast<std::int64_t>(live_.size()) - 1));
      if (live_[pick]->connected()) live_[pick]->reset();  // one still connecting has nothing to reset yet
    }
    plan_next_reset();
  });
}

void RelayThread::wake_at(std::int64_t due_ns, std::shared_ptr<RelayedConnection> connection, Direction direction) {
  if (!acceptor_.is_open()) return;  // stopping
  wake_ups_.push({due_ns, std::move(connection), direction});
  if (wake_timer_due_ns_ == 0 || due_ns < wake_timer_due_ns_) arm_wake_timer(due_ns);
}

void RelayThread::arm_wake_timer(std::int64_t due_ns) {
  wake_timer_due_ns_ = due_ns;
  wake_timer_.expires_at(std::chrono::steady_clock::time_point(std::chrono::nanoseconds(due_ns)));
  wake_timer_.async_wait([this](boost::system::error_code ec) {
    if (ec) return;  // replaced by an earlier wake-up, or stopping
    wake_timer_due_ns_ = 0;
    wake_due();
  });
}

void RelayThread::wake_due() {
  const std::int64_t now = monotonic_ns();
  while (!wake_ups_.empty() && wake_ups_.top().due_ns <= now) {
    WakeUp due = wake_ups_.top();
    wake_ups_.pop();
    due.connection->wake(due.direction, due.due_ns);
  }
  if (!wake_ups_.empty()) arm_wake_timer(wake_ups_.top().due_ns);
}

void RelayThread::forget(RelayedConnection& connection) {
  const std::size_t slot = connection.slot;
  if (slot >= live_.size() || live_[slot].get() != &connection) return;
  if (slot + 1 != live_.size()) {
    live_[slot] = std::move(live_.back());
    live_[slot]->slot = slot;
  }
  live_.pop_back();
}

}  // namespace pushbench::relay
