#pragma once
#include <cstdint>
#include <string>

#include "core/histogram.hpp"

namespace pushbench {

// Why a connection attempt or an exchange failed.
enum class ErrorKind { connect_refused, timeout, http_status, protocol, closed, other };

struct ErrorCounts {
  std::uint64_t connect_refused = 0;
  std::uint64_t timeout = 0;
  std::uint64_t http_status = 0;
  std::uint64_t protocol = 0;
  std::uint64_t closed = 0;  // the server ended a connection the technique keeps open
  std::uint64_t other = 0;

  void add(ErrorKind kind);
  std::uint64_t total() const { return connect_refused + timeout + http_status + protocol + closed + other; }
};

// What one worker thread counted; workers' metrics merge into the run's. Counts cover the
// measured window only, except the connection counts and connect times, which cover the run.
struct Metrics {
  std::uint64_t connections_established = 0;
  std::uint64_t connect_errors = 0;
  std::uint64_t reconnects = 0;
  std::uint64_t events_received = 0;
  std::uint64_t gaps = 0;
  std::uint64_t duplicates = 0;
  std::uint64_t bytes_in = 0;
  std::uint64_t bytes_out = 0;
  std::uint64_t http_requests = 0;
  std::uint64_t late_polls = 0;  // short polls sent after their scheduled time
  std::uint64_t protocol_messages = 0;  // a protocol's own messages both ways (Engine.IO open, ping, pong...)
  // Fairness: the fewest and most events one connection received in the window.
  std::uint64_t events_per_connection_min = UINT64_MAX;
  std::uint64_t events_per_connection_max = 0;
  ErrorCounts errors;
  Histogram latency;
  Histogram connect;
  double cpu_s = 0;         // this thread's CPU time in the window
  double window_s = 0;      // the window's wall time
  double loop_lag_max_s = 0;  // the worst delay of the event loop's own timer in the window

  void merge(const Metrics& other);
  void add_connection_events(std::uint64_t events);
  double cpu_fraction() const { return window_s > 0 ? cpu_s / window_s : 0; }
};

}  // namespace pushbench
