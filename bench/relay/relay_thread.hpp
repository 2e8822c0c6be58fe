#pragma once
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <memory>
#include <queue>
#include <random>
#include <vector>

#include "bench/relay/pipe.hpp"

#include "bench/relay/relay_options.hpp"
#include "bench/relay/relay_stats.hpp"

namespace pushbench::relay {

class RelayedConnection;

// One event loop of the relay: its own acceptor on the shared port (SO_REUSEPORT), its
// connections, its share of the resets, its stats. Threads share nothing while they run.
class RelayThread {
 public:
  RelayThread(const RelayOptions& options, const boost::asio::ip::tcp::endpoint& listen,
              const boost::asio::ip::tcp::endpoint& target, std::int64_t started_ns, std::uint64_t seed);

  boost::asio::io_context& ioc() { return ioc_; }
  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
  void start();
  void stop();  // from another thread: closes everything, the loop then runs out

  const RelayOptions& options() const { return options_; }
  const boost::asio::ip::tcp::endpoint& target() const { return target_; }
  std::int64_t started_ns() const { return started_ns_; }
  RelayStats& stats() { return stats_; }
  std::int64_t uniform_ns(std::int64_t low, std::int64_t high);
  std::int64_t exponential_ns(std::int64_t mean);
  void forget(RelayedConnection& connection);
  // Calls connection.wake(direction, due_ns) at due_ns. One timer serves every pipe of the
  // thread, so a burst of chunks due together costs one wake-up, not one timer each.
  void wake_at(std::int64_t due_ns, std::shared_ptr<RelayedConnection> connection, Direction direction);

 private:
  void accept();
  void plan_next_reset();
  void arm_wake_timer(std::int64_t due_ns);
  void wake_due();

  struct WakeUp {
    std::int64_t due_ns;
    std::shared_ptr<RelayedConnection> connection;
    Direction direction;
    bool operator>(const WakeUp& other) const { return due_ns > other.due_ns; }
  };

  const RelayOptions& options_;
  const boost::asio::ip::tcp::endpoint target_;
  const std::int64_t started_ns_;
  boost::asio::io_context ioc_{1};
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer reset_timer_;
  boost::asio::steady_timer wake_timer_;
  std::int64_t wake_timer_due_ns_ = 0;  // 0: not armed
  std::priority_queue<WakeUp, std::vector<WakeUp>, std::greater<>> wake_ups_;
  std::mt19937_64 random_;
  std::vector<std::shared_ptr<RelayedConnection>> live_;
  std::uint64_t accepted_ = 0;
  RelayStats stats_;
};

}  // namespace pushbench::relay
