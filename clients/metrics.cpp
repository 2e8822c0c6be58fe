#include "clients/metrics.hpp"

#include <algorithm>

namespace pushbench {

namespace {
// Each ErrorKind's counter, in the enum's order.
constexpr std::uint64_t Metrics::*error_counters[] = {
    &Metrics::connect_refused_errors, &Metrics::timeout_errors, &Metrics::http_status_errors,
    &Metrics::protocol_errors,        &Metrics::closed_errors,  &Metrics::other_errors,
};
}  // namespace

void Metrics::add_error(ErrorKind kind) { ++(this->*error_counters[static_cast<int>(kind)]); }

std::uint64_t Metrics::errors() const {
  std::uint64_t total = 0;
  for (const auto counter : error_counters) total += this->*counter;
  return total;
}

void Metrics::add_connection_events(std::uint64_t events) {
  events_per_connection_min = std::min(events_per_connection_min, events);
  events_per_connection_max = std::max(events_per_connection_max, events);
}

}  // namespace pushbench
