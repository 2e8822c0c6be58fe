#pragma once
#include <chrono>
#include <cstddef>
#include <cstdint>

// Every bound the client applies, named once (the server's are in servers/limits.hpp).
namespace pushbench::client_limits {

using namespace std::chrono_literals;

inline constexpr std::uint64_t max_connections = 1'000'000;
inline constexpr std::uint64_t max_threads = 256;
inline constexpr double max_connect_rate = 1e7;            // connections/s
inline constexpr double max_send_rate = 1e5;               // messages/s per sending connection
inline constexpr std::uint64_t min_send_size = 65;         // websocket-shootout's bare message
inline constexpr std::uint64_t max_send_size = 1 << 20;    // bytes of one message
inline constexpr std::size_t max_answer_bytes = 64 << 20;  // a poll answer or a WebSocket message
inline constexpr std::size_t stream_read_chunk = 4096;     // bytes a stream reads at a time
inline constexpr auto schedule_lead = 10ms;                // from setting up to the first connection
inline constexpr auto loop_lag_tick = 10ms;                // the event loop's own timer, for its lag
inline constexpr double saturation_cpu_fraction = 0.9;     // a thread this busy measured itself
// Socket.IO's server holds a polling GET up to its ping interval (25 s by default).
inline constexpr auto engine_io_longest_hold = 30s;

}  // namespace pushbench::client_limits
