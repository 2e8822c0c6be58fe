#include "clients/connection.hpp"

#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/websocket/error.hpp>

#include "clients/techniques/technique.hpp"
#include "core/clock.hpp"

namespace pushbench {

Connection::Connection(Worker& worker, std::size_t index) : worker_(worker), index_(index), retry_timer_(worker.ioc()) {
  const ClientOptions& o = worker.options();
  if (o.send_rate > 0 && (o.senders == 0 || index < o.senders))
    sender_.emplace(worker, index, [this](std::string text) { send_message(std::move(text)); });
}

void Connection::start() {
  open();
  if (sender_) sender_->start();
}

void Connection::finish() {
  finished_ = true;
  worker_.metrics().add_connection_events(events_in_window_);
  if (sender_) sender_->stop();
  if (upstream_) upstream_->close();
  close_politely();
}

void Connection::send_message(std::string text) {
  if (!upstream_) {
    upstream_ =
        std::make_shared<Upstream>(worker_, tap(), host_header(), with_publisher(worker_.options().path("/publish")));
  }
  upstream_->send(std::move(text));
}

std::string Connection::host_header() const {
  const ClientOptions& o = worker_.options();
  const bool v6 = o.host.find(':') != std::string::npos;
  return (v6 ? "[" + o.host + "]" : o.host) + ":" + std::to_string(o.port);
}

std::string Connection::endpoint_target(std::string_view query) const {
  return worker_.options().path(worker_.technique().path) + std::string(query);
}

std::string Connection::resume_target() const {
  return endpoint_target(have_seq_ ? "?since=" + std::to_string(last_seq_) : "");
}

std::string Connection::with_publisher(std::string target) const {
  if (!sender_) return target;
  const bool has_query = target.find('?') != std::string::npos;
  return target.append(has_query ? "&from=" : "?from=").append(sender_->tag());
}

void Connection::count_error(ErrorKind kind) {
  if (worker_.counting()) worker_.metrics().add_error(kind);
}

void Connection::open() {
  if (opened_before_) ++worker_.metrics().reconnects;
  opened_before_ = true;
  if (Trace* trace = tap().trace) trace->note("connect");
  connect_started_ns_ = monotonic_ns();
  if (wire_ && worker_.options().tls_resumption) {
    if (SslSession session = wire_->resumable_session()) tls_session_ = std::move(session);
  }
  Wire& wire = new_stream();
  wire_ = &wire;
  wire.prepare_tls(worker_.options().host, tls_session_.get());
  wire.tcp().expires_after(worker_.options().timeout);  // for the TLS handshake too
  wire.tcp().async_connect(worker_.endpoint(), [self = shared_from_this(), this, &wire](boost::system::error_code ec) {
    if (ec) {
      if (!finished_) ++worker_.metrics().connect_errors;
      return fail(classify(ec));
    }
    boost::system::error_code ignored;
    wire.socket().set_option(boost::asio::ip::tcp::no_delay(true), ignored);
    on_connected(wire);
  });
}

void Connection::on_connected(Wire& wire) {
  const std::int64_t connected_ns = monotonic_ns();
  worker_.metrics().tcp_connect.record(connected_ns - connect_started_ns_);
  if (!wire.tls()) return on_open();
  wire.async_handshake([self = shared_from_this(), this, &wire, connected_ns](boost::system::error_code ec) {
    if (ec) {
      if (!finished_) ++worker_.metrics().connect_errors;
      return fail(classify(ec));
    }
    Metrics& m = worker_.metrics();
    m.tls_handshake.record(monotonic_ns() - connected_ns);
    ++m.tls_handshakes;
    m.tls_resumed += wire.resumed() ? 1 : 0;
    ++m.tls_versions[std::string(wire.tls_version())];
    ++m.tls_ciphers[std::string(wire.tls_cipher())];
    on_open();
  });
}

void Connection::established() {
  Metrics& m = worker_.metrics();
  if (!ever_established_) ++m.connections_established;
  ever_established_ = true;
  m.connect.record(monotonic_ns() - connect_started_ns_);
}

void Connection::on_event(const EventFields& fields) {
  const std::int64_t now = realtime_ns();
  Metrics& m = worker_.metrics();
  bool caught_up = false;
  const bool counting = worker_.counts_event(fields.ts, caught_up);
  if (caught_up && !caught_up_) {
    caught_up_ = true;
    worker_.connection_caught_up();
  }
  if (have_seq_ && fields.seq <= last_seq_) {
    if (counting) ++m.duplicates;
    return;
  }
  if (have_seq_ && fields.seq > last_seq_ + 1 && counting) m.gaps += fields.seq - last_seq_ - 1;
  have_seq_ = true;
  last_seq_ = fields.seq;
  if (sender_) sender_->take_echo(fields.json);
  count_name(fields);
  if (lost_ns_ && counting) m.resume.record(monotonic_ns() - lost_ns_);
  lost_ns_ = 0;
  if (counting) {
    ++m.events_received;
    m.event_bytes += fields.json.size();
    ++events_in_window_;
    m.latency.record(now - fields.ts);
  }
}

// An event's name (--event-types): the framing's (SSE) and the JSON's "type" must agree.
void Connection::count_name(const EventFields& fields) {
  std::string_view type;
  if (const std::size_t at = find_key(fields.json, "type");
      at != std::string_view::npos && at < fields.json.size() && fields.json[at] == '"') {
    const std::size_t end = fields.json.find('"', at + 1);
    if (end != std::string_view::npos) type = fields.json.substr(at + 1, end - at - 1);
  }
  if (!fields.name.empty() && fields.name != type) return count_error(ErrorKind::protocol);
  if (type.empty() || !worker_.counting()) return;
  Metrics::Counts& counts = worker_.metrics().events_by_type;
  if (const auto found = counts.find(type); found != counts.end())
    ++found->second;
  else
    counts.emplace(type, 1);
}

void Connection::fail(ErrorKind kind, std::chrono::nanoseconds delay) {
  if (finished_) return;
  count_error(kind);
  if (ever_established_ && !lost_ns_) lost_ns_ = monotonic_ns();
  if (Trace* trace = tap().trace) trace->note("failed; reconnecting");
  retry_timer_.expires_after(delay);
  retry_timer_.async_wait([self = shared_from_this(), this](boost::system::error_code ec) {
    if (!ec) open();
  });
}

ErrorKind Connection::classify(const boost::system::error_code& ec) {
  if (ec == boost::asio::error::connection_refused) return ErrorKind::connect_refused;
  if (ec == boost::beast::error::timeout) return ErrorKind::timeout;
  if (ec == boost::asio::error::eof || ec == boost::asio::error::connection_reset ||
      ec == boost::beast::http::error::end_of_stream || ec == boost::beast::http::error::partial_message ||
      ec == boost::beast::websocket::error::closed || ec == boost::asio::ssl::error::stream_truncated) {
    return ErrorKind::closed;
  }
  if (ec.category() == boost::asio::error::get_ssl_category()) return ErrorKind::protocol;  // a failed handshake
  return ErrorKind::other;
}

}  // namespace pushbench
