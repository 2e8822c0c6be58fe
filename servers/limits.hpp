#pragma once
#include <chrono>
#include <cstddef>
#include <cstdint>

// Every bound the server applies, named once (as Beast's advanced_server names its limits).
// The defaults of the flags in server_options.cpp, and the ranges those flags accept, are here;
// the flags' help text says what each one does.
namespace pushbench::limits {

using namespace std::chrono_literals;
inline constexpr std::uint64_t kib = 1024, mib = kib * kib, gib = mib * kib;

// Defaults of the flags.
inline constexpr std::uint16_t default_port = 8080;
inline constexpr std::uint64_t default_payload = 64;
inline constexpr std::uint64_t default_history_events = 65536;
inline constexpr std::uint64_t default_history_bytes = 256 * mib;
inline constexpr std::uint64_t default_max_connections = 16384;
inline constexpr std::uint64_t default_max_header_bytes = 8 * kib;
inline constexpr std::uint64_t default_max_body_bytes = 1 * mib;
inline constexpr std::uint64_t default_max_queued_events = 1024;    // per subscriber
inline constexpr std::uint64_t default_max_queued_bytes = 4 * mib;  // per subscriber: what a stuck one pins
inline constexpr std::uint64_t default_max_batch = 1000;            // events in one poll answer
inline constexpr std::uint64_t default_max_batch_bytes = 1 * mib;   // JSON in one poll answer
inline constexpr std::chrono::nanoseconds default_idle_timeout = 30s;
inline constexpr std::chrono::nanoseconds default_max_long_poll = 2min;
inline constexpr std::chrono::milliseconds default_long_poll_timeout = 30s;  // SPEC: when timeout_ms is absent
inline constexpr std::chrono::nanoseconds default_heartbeat = 15s;           // SPEC: SSE comment after this quiet
inline constexpr std::chrono::nanoseconds default_sse_retry = 1s;
inline constexpr std::chrono::nanoseconds default_ws_handshake_timeout = 10s;
inline constexpr std::chrono::nanoseconds default_ws_idle_timeout = 60s;
inline constexpr std::chrono::nanoseconds default_tls_handshake_timeout = 10s;
inline constexpr std::uint64_t default_ws_max_message = 64 * kib;

// The largest values the flags (and the publisher control, POST /publisher?rate=) accept.
inline constexpr double max_publish_rate = 1e6;        // events/s
inline constexpr std::size_t max_publisher_name = 64;  // POST /publish?from=NAME, bytes
inline constexpr std::uint64_t max_event_types = 64;   // --event-types
inline constexpr std::uint64_t max_payload = 16 * mib;
inline constexpr std::uint64_t max_threads = 4096;
inline constexpr std::uint64_t max_history_events = 1ull << 24;
inline constexpr std::uint64_t max_history_bytes = 64 * gib;
inline constexpr std::uint64_t max_connections = 1'000'000;
inline constexpr std::uint64_t max_header_bytes = 1 * mib;
inline constexpr std::uint64_t max_body_bytes = 1 * gib;
inline constexpr std::uint64_t max_queued_events = 1ull << 24;
inline constexpr std::uint64_t max_batch = 1ull << 20;
inline constexpr std::uint64_t max_queued_bytes = 1 * gib;
inline constexpr std::uint64_t max_batch_bytes = 1 * gib;

// Fixed bounds inside the server.
inline constexpr std::size_t publish_burst = 10000;                  // overdue events one publisher tick catches up
inline constexpr std::chrono::milliseconds linger = 1s;              // draining a client's bytes before a close
inline constexpr std::chrono::milliseconds shutdown_grace = 1500ms;  // close handshakes at a stop (SPEC: exit in 2 s)
inline constexpr std::chrono::milliseconds accept_retry = 50ms;      // after an accept error (out of fds)
inline constexpr std::size_t max_queued_own_frames = 16;  // a stream's heartbeats, pings and pongs behind a stuck write
inline constexpr std::size_t max_reads_per_wake = 16;     // reads of a client's bytes before other connections' turn
// cpp-httplib: connections accepted while every connection thread is busy; beyond, the accept loop
// waits and new connections wait in the kernel's listen backlog.
inline constexpr std::size_t httplib_max_waiting = 1024;

}  // namespace pushbench::limits
