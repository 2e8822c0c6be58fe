#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "core/histogram.hpp"

namespace pushbench {

// Why a connection attempt or an exchange failed.
enum class ErrorKind { connect_refused, timeout, http_status, protocol, closed, other };

// What one worker thread counted; workers' metrics merge into the run's, field by field as
// metric_schema.cpp says. Counts cover the measured window only, except the connection counts
// and connect times, which cover the run.
struct Metrics {
  std::uint64_t connections_established = 0;
  std::uint64_t connect_errors = 0;
  std::uint64_t reconnects = 0;
  std::uint64_t events_received = 0;
  std::uint64_t gaps = 0;
  std::uint64_t duplicates = 0;
  std::uint64_t event_bytes = 0;  // the events' own JSON (envelope and data) as received
  std::uint64_t bytes_in = 0;
  std::uint64_t bytes_out = 0;
  std::uint64_t http_requests = 0;
  std::uint64_t late_polls = 0;         // short polls sent after their scheduled time
  std::uint64_t protocol_messages = 0;  // a protocol's own messages both ways (Engine.IO open, ping, pong...)
  // The broadcast workload's upstream (--send-rate): messages the clients sent, the POSTs that
  // carried them (techniques that only receive), and those lost with a connection or refused.
  std::uint64_t messages_sent = 0;
  std::uint64_t publish_requests = 0;
  std::uint64_t messages_lost = 0;
  std::uint64_t messages_refused = 0;
  std::uint64_t upstream_bytes = 0;  // what carried them: WebSocket frames, or the POSTs with their heads
  // Fairness: the fewest and most events one connection received in the window.
  std::uint64_t events_per_connection_min = UINT64_MAX;
  std::uint64_t events_per_connection_max = 0;
  // Errors by kind, in ErrorKind's order.
  std::uint64_t connect_refused_errors = 0;
  std::uint64_t timeout_errors = 0;
  std::uint64_t http_status_errors = 0;
  std::uint64_t protocol_errors = 0;
  std::uint64_t closed_errors = 0;  // the server ended a connection the technique keeps open
  std::uint64_t other_errors = 0;
  // TLS handshakes (https), full or resumed, and of them the resumed ones.
  std::uint64_t tls_handshakes = 0;
  std::uint64_t tls_resumed = 0;
  Histogram latency;
  Histogram connect;        // from the connect to the first moment events can arrive
  Histogram tcp_connect;    // of it, TCP's handshake
  Histogram tls_handshake;  // and then TLS's
  Histogram resume;         // from a lost connection to the first event after it
  Histogram round_trip;
  using Counts = std::map<std::string, std::uint64_t, std::less<>>;
  Counts events_by_type;          // events counted by name (--event-types on the server)
  Counts tls_versions;            // handshakes by the TLS version agreed
  Counts tls_ciphers;             // and by the cipher suite
  double cpu_s = 0;               // CPU time of the threads in the window, summed
  double window_s = 0;            // the window's wall time
  double loop_lag_max_s = 0;      // the worst delay of an event loop's own timer in the window
  double busiest_thread_cpu = 0;  // the highest share of a core one thread used in the window

  void merge(const Metrics& other);  // as the schema says
  void add_error(ErrorKind kind);
  std::uint64_t errors() const;
  void add_connection_events(std::uint64_t events);
};

}  // namespace pushbench
