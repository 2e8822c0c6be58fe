#pragma once
#include <atomic>
#include <cstdint>
#include <utility>

namespace pushbench {

// Server-wide counters, updated from any thread, read by GET /stats.
struct Stats {
  std::atomic<std::uint64_t> connections{0};  // open now
  std::atomic<std::uint64_t> connections_accepted{0};
  std::atomic<std::uint64_t> connections_rejected{0};  // beyond --max-connections
  std::atomic<std::uint64_t> requests{0};
  std::atomic<std::uint64_t> bad_requests{0};  // answered 4xx
  std::atomic<std::uint64_t> published{0};
  std::atomic<std::uint64_t> publish_failed{0};   // events the backplane did not take (POSTs answered 503)
  std::atomic<std::uint64_t> client_messages{0};  // of `published`, sent by WebSocket clients
  std::atomic<std::uint64_t> delivered{0};        // events written to clients, summed over clients
  std::atomic<std::uint64_t> bytes_out{0};
  std::atomic<std::uint64_t> write_calls{
      0};  // system calls that wrote them (delivered / write_calls: events per write)
  std::atomic<std::uint64_t> slow_consumers_dropped{0};
  std::atomic<std::uint64_t> sse_streams{0};
  std::atomic<std::uint64_t> websockets{0};
  std::atomic<std::uint64_t> other_streams{0};  // open streams of techniques without a counter of their own
  std::atomic<std::uint64_t> long_polls_waiting{0};
  std::atomic<std::uint64_t> tls_handshakes{0};          // completed, full or resumed
  std::atomic<std::uint64_t> tls_resumed{0};             // of tls_handshakes, resumed from a ticket or the cache
  std::atomic<std::uint64_t> tls_handshake_failures{0};  // garbage, plain HTTP, or stalled past the timeout

  // Streams and held long polls still open: at a stop, the server waits for these to say goodbye.
  std::uint64_t subscribers_open() const {
    return sse_streams.load(std::memory_order_relaxed) + websockets.load(std::memory_order_relaxed) +
           other_streams.load(std::memory_order_relaxed) + long_polls_waiting.load(std::memory_order_relaxed);
  }

  void add_delivery(std::uint64_t events, std::uint64_t bytes, std::uint64_t writes) {
    delivered.fetch_add(events, std::memory_order_relaxed);
    bytes_out.fetch_add(bytes, std::memory_order_relaxed);
    write_calls.fetch_add(writes, std::memory_order_relaxed);
  }
};

// Holds one place in Stats::connections for as long as a connection lives, across hand-overs
// from the HTTP session to an SSE or WebSocket session.
class ConnectionSlot {
 public:
  ConnectionSlot() = default;
  explicit ConnectionSlot(Stats& stats) : stats_(&stats) { stats.connections.fetch_add(1, std::memory_order_relaxed); }
  ConnectionSlot(ConnectionSlot&& other) noexcept : stats_(std::exchange(other.stats_, nullptr)) {}
  ConnectionSlot& operator=(ConnectionSlot&& other) noexcept {
    release();
    stats_ = std::exchange(other.stats_, nullptr);
    return *this;
  }
  ~ConnectionSlot() { release(); }

 private:
  void release() {
    if (stats_) stats_->connections.fetch_sub(1, std::memory_order_relaxed);
    stats_ = nullptr;
  }
  Stats* stats_ = nullptr;
};

// Counts a gauge (streams, waiting long polls) up for as long as it lives.
class GaugeHold {
 public:
  explicit GaugeHold(std::atomic<std::uint64_t>& gauge) : gauge_(gauge) {
    gauge_.fetch_add(1, std::memory_order_relaxed);
  }
  GaugeHold(const GaugeHold&) = delete;
  GaugeHold& operator=(const GaugeHold&) = delete;
  ~GaugeHold() { gauge_.fetch_sub(1, std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t>& gauge_;
};

}  // namespace pushbench
