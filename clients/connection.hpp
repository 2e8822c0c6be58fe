#pragma once
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <memory>
#include <optional>

#include "clients/sender.hpp"
#include "clients/upstream.hpp"
#include "clients/wire.hpp"
#include "clients/worker.hpp"
#include "core/event_fields.hpp"

namespace pushbench {

// One client connection of any technique: connects (timed), reconnects after failures, and
// accounts for every event it receives (sequence gaps and duplicates, latency). A technique
// supplies the stream (new_stream), what to do once connected (on_open), and calls
// established() when it can receive events and on_event() for each one.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(Worker& worker, std::size_t index);
  virtual ~Connection() = default;

  void start();
  // The run is over: no more reconnects or errors; close politely where the protocol has a way.
  void finish();

 protected:
  // A fresh stream for a new connection attempt, made with emplace_wire(); returns it, to connect.
  virtual Wire& new_stream() = 0;
  virtual void on_open() = 0;
  virtual void close_politely() {}
  // One message of the broadcast workload: by default a POST /publish on the connection's
  // upstream; a technique that can send on its own connection (WebSocket) overrides it.
  virtual void send_message(std::string text);

  void established();
  void on_event(const EventFields& fields);
  void count_name(const EventFields& fields);
  // Counts the failure, then opens a new connection after `delay`.
  void fail(ErrorKind kind, std::chrono::nanoseconds delay);
  void fail(ErrorKind kind) { fail(kind, worker_.options().reconnect_delay); }
  static ErrorKind classify(const boost::system::error_code& ec);

  WireTap tap() { return worker_.tap_for(index_); }
  // A new Wire (or a stream over one) in `slot`: this connection's tap, the loop, TLS when https.
  template <typename Stream>
  Stream& emplace_wire(std::optional<Stream>& slot) {
    return slot.emplace(tap(), worker_.ioc(), worker_.tls());
  }
  std::optional<std::uint64_t> last_seq() const { return have_seq_ ? std::optional(last_seq_) : std::nullopt; }
  std::string host_header() const;
  // The technique's endpoint (from the technique table) under the URL's prefix, with `query`.
  std::string endpoint_target(std::string_view query = {}) const;
  // The endpoint with ?since=N, the last seq seen, once there is one: how a new connection resumes.
  std::string resume_target() const;
  // `target` with from=TAG added when this connection sends (--send-rate): the server names the
  // events its messages become after it, so that the sender knows its own.
  std::string with_publisher(std::string target) const;
  // Counts an error of this connection, when inside the measured window.
  void count_error(ErrorKind kind);

  Worker& worker_;
  const std::size_t index_;

 private:
  void open();
  void on_connected(Wire& wire);

  std::optional<Sender> sender_;        // with --send-rate, on the connections that send
  std::shared_ptr<Upstream> upstream_;  // their POSTs, for techniques that only receive
  boost::asio::steady_timer retry_timer_;
  Wire* wire_ = nullptr;  // the stream of the last attempt, whose TLS session the next one resumes
  SslSession tls_session_;
  std::int64_t connect_started_ns_ = 0;
  std::int64_t lost_ns_ = 0;  // when an established connection was lost, until an event arrives again
  std::uint64_t last_seq_ = 0;
  bool have_seq_ = false;
  bool ever_established_ = false;
  bool caught_up_ = false;  // in the drain, an event published after the window has come
  bool opened_before_ = false;
  bool finished_ = false;
  std::uint64_t events_in_window_ = 0;
};

}  // namespace pushbench
