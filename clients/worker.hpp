#pragma once
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <memory>
#include <vector>

#include "clients/client_options.hpp"
#include "clients/counting_stream.hpp"
#include "clients/metrics.hpp"

namespace pushbench {

class Connection;
struct ClientTechnique;

// When things happen, the same for every worker: connections start from `start` (spread by
// --connect-rate), events count from `window_begin` to `window_end`.
struct Schedule {
  std::chrono::steady_clock::time_point start;
  std::chrono::steady_clock::time_point window_begin;
  std::chrono::steady_clock::time_point window_end;
};

// One thread's share of the connections, on its own event loop (as in wrk): it opens them on
// schedule, counts during the window, measures its own CPU time, and ends by itself at the end.
class Worker {
 public:
  Worker(const ClientOptions& options, const ClientTechnique& technique, boost::asio::ip::tcp::endpoint endpoint,
         Schedule schedule, std::size_t first_index, std::size_t count, Trace* trace);
  ~Worker();

  void run();  // on the worker's own thread; returns after the window

  const ClientOptions& options() const { return options_; }
  const ClientTechnique& technique() const { return technique_; }
  boost::asio::io_context& ioc() { return ioc_; }
  boost::asio::ssl::context* tls() { return tls_.get(); }  // null: plain TCP
  const boost::asio::ip::tcp::endpoint& endpoint() const { return endpoint_; }
  const Schedule& schedule() const { return schedule_; }
  Metrics& metrics() { return metrics_; }
  bool counting() const { return counting_; }
  // Whether an event published at `ts` counts: received in the window; with a drain, published
  // in it, received in it or late (an event published after it ends its connection's drain).
  bool counts_event(std::int64_t ts, bool& caught_up) const;
  void connection_caught_up();
  WireTap tap_for(std::size_t index);

 private:
  void open_due_connections();
  void begin_window();
  void end_window();
  void stop();
  void watch_loop_lag(std::chrono::steady_clock::time_point expected);

  const ClientOptions& options_;
  const ClientTechnique& technique_;
  boost::asio::io_context ioc_{1};
  boost::asio::ip::tcp::endpoint endpoint_;
  Schedule schedule_;
  std::size_t first_index_;
  std::size_t count_;
  Trace* trace_;
  std::unique_ptr<boost::asio::ssl::context> tls_;
  Metrics metrics_;
  bool counting_ = false;
  bool draining_ = false;
  std::int64_t window_begin_realtime_ns_ = 0;  // the window on the publishers' clock, for a drain
  std::int64_t window_end_realtime_ns_ = 0;
  std::size_t caught_up_ = 0;
  std::vector<std::shared_ptr<Connection>> connections_;
  boost::asio::steady_timer ramp_timer_;
  boost::asio::steady_timer window_timer_;
  boost::asio::steady_timer lag_timer_;
  double cpu_at_begin_s_ = 0;
};

}  // namespace pushbench
