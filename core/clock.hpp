#pragma once
#include <cstdint>
#include <ctime>

namespace pushbench {

// Event timestamps use CLOCK_REALTIME so that a client in another process can compute latency.
inline std::int64_t realtime_ns() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return std::int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

// Intervals (schedules, timeouts, durations) use the monotonic clock, which never jumps.
inline std::int64_t monotonic_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return std::int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

}  // namespace pushbench
