#include "bench/relay/relay_stats.hpp"

#include <cstdio>

namespace pushbench::relay {

void RelayStats::merge(const RelayStats& other) {
  accepted += other.accepted;
  target_connect_failures += other.target_connect_failures;
  bytes_down += other.bytes_down;
  bytes_up += other.bytes_up;
  resets += other.resets;
  stalls += other.stalls;
  stuck_connections += other.stuck_connections;
  lateness.merge(other.lateness);
}

std::string RelayStats::to_json(double cpu_s, double elapsed_s) const {
  char head[512];
  std::snprintf(head, sizeof head,
                "{\"accepted\":%lu,\"target_connect_failures\":%lu,\"bytes_down\":%lu,\"bytes_up\":%lu,"
                "\"resets\":%lu,\"stalls\":%lu,\"stuck_connections\":%lu,\"cpu_s\":%.6f,\"elapsed_s\":%.6f,"
                "\"lateness_p50_ns\":%ld,\"lateness_p99_ns\":%ld,\"lateness_max_ns\":%ld,\"lateness_ns\":",
                static_cast<unsigned long>(accepted), static_cast<unsigned long>(target_connect_failures),
                static_cast<unsigned long>(bytes_down), static_cast<unsigned long>(bytes_up),
                static_cast<unsigned long>(resets), static_cast<unsigned long>(stalls),
                static_cast<unsigned long>(stuck_connections), cpu_s, elapsed_s,
                static_cast<long>(lateness.value_at_percentile(50)),
                static_cast<long>(lateness.value_at_percentile(99)), static_cast<long>(lateness.max()));
  return head + lateness.to_json() + "}";
}

}  // namespace pushbench::relay
