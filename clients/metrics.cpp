#include "clients/metrics.hpp"

#include <algorithm>

namespace pushbench {

void ErrorCounts::add(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::connect_refused: ++connect_refused; break;
    case ErrorKind::timeout: ++timeout; break;
    case ErrorKind::http_status: ++http_status; break;
    case ErrorKind::protocol: ++protocol; break;
    case ErrorKind::closed: ++closed; break;
    case ErrorKind::other: ++other; break;
  }
}

void Metrics::merge(const Metrics& other) {
  connections_established += other.connections_established;
  connect_errors += other.connect_errors;
  reconnects += other.reconnects;
  events_received += other.events_received;
  gaps += other.gaps;
  duplicates += other.duplicates;
  bytes_in += other.bytes_in;
  bytes_out += other.bytes_out;
  http_requests += other.http_requests;
  late_polls += other.late_polls;
  protocol_messages += other.protocol_messages;
  events_per_connection_min = std::min(events_per_connection_min, other.events_per_connection_min);
  events_per_connection_max = std::max(events_per_connection_max, other.events_per_connection_max);
  errors.connect_refused += other.errors.connect_refused;
  errors.timeout += other.errors.timeout;
  errors.http_status += other.errors.http_status;
  errors.protocol += other.errors.protocol;
  errors.closed += other.errors.closed;
  errors.other += other.errors.other;
  latency.merge(other.latency);
  connect.merge(other.connect);
  cpu_s += other.cpu_s;
  window_s = std::max(window_s, other.window_s);
  loop_lag_max_s = std::max(loop_lag_max_s, other.loop_lag_max_s);
}

void Metrics::add_connection_events(std::uint64_t events) {
  events_per_connection_min = std::min(events_per_connection_min, events);
  events_per_connection_max = std::max(events_per_connection_max, events);
}

}  // namespace pushbench
