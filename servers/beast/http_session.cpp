#include "servers/beast/http_session.hpp"

#include <array>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>

#include "core/parse_buffered.hpp"
#include "core/write_at_once.hpp"
#include "servers/beast/beast_exchange.hpp"
#include "servers/beast/peer_state.hpp"
#include "servers/limits.hpp"
#include "servers/router.hpp"

namespace pushbench {

namespace {
// What one read asks of the socket: a request head fits (browsers send under 1 KiB); more is
// read in further pieces. Small, because a burst of new connections holds one each at once.
constexpr std::size_t read_chunk = 1024;
}  // namespace

HttpSession::HttpSession(Link link, SharedState& state, ConnectionSlot slot, IoThread& thread)
    : link_(std::move(link)),
      deadline_(link_.socket().get_executor()),
      // A whole header must fit (the parser wants it in one piece); a body is parsed as it comes.
      buffer_(state.options().max_header_bytes + read_chunk),
      state_(state),
      slot_(std::move(slot)),
      thread_(thread) {}

void HttpSession::run() {
  boost::asio::dispatch(executor(), [self = shared_from_this()] {
    if (self->link_.tls()) return self->shake_hands();
    self->read_request();
  });
}

// A client that sends no ClientHello, garbage or plain HTTP is closed (and counted by
// tls_context), and costs the others nothing: the handshake waits like any read.
void HttpSession::shake_hands() {
  expire_after(state_.options().tls_handshake_timeout);
  link_.handshake([self = shared_from_this()](boost::system::error_code ec) {
    if (ec) return self->close();
    self->read_request();
  });
}

void HttpSession::read_request() {
  const ServerOptions& options = state_.options();
  parser_.emplace();
  parser_->header_limit(static_cast<std::uint32_t>(options.max_header_bytes));
  parser_->body_limit(options.max_body_bytes);
  parser_->eager(true);
  expire_after(options.idle_timeout);  // also bounds a slow sender's request
  parse_buffered();
}

// Parses what is buffered (a pipelined request may be there already), then waits for more.
void HttpSession::parse_buffered() {
  if (const beast::error_code ec = pushbench::parse_buffered(*parser_, buffer_)) return refuse_malformed(ec);
  if (parser_->is_done()) return on_request();
  receive();
}

void HttpSession::receive() {
  const std::size_t room = buffer_.max_size() - buffer_.size();
  if (room == 0) return refuse(431, "request line and headers are too large");
  link_.async_read_some(buffer_.prepare(std::min(room, read_chunk)),
                        [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
                          if (ec) return self->close();  // closed, reset, timed out: nobody to answer
                          self->buffer_.commit(n);
                          self->parse_buffered();
                        });
}

void HttpSession::on_request() {
  deadline_.clear();  // the answer sets its own
  keep_alive_ = parser_->get().keep_alive();
  BeastExchange exchange(shared_from_this(), parser_->release());
  route(exchange);
}

void HttpSession::refuse_malformed(beast::error_code ec) {
  if (ec == http::error::header_limit) return refuse(431, "request line and headers are too large");
  if (ec == http::error::body_limit) return refuse(413, "request body is too large");
  refuse(400, "malformed HTTP request: " + ec.message());
}

void HttpSession::send_last(Reply reply) {
  keep_alive_ = false;
  send(std::move(reply));
}

void HttpSession::send(Reply reply) {
  if (reply.status() >= 400) state_.stats().bad_requests.fetch_add(1, std::memory_order_relaxed);
  reply_.emplace(std::move(reply));
  const bool keep_alive = keep_alive_;
  reply_->buffers(keep_alive, reply_buffers_);
  expire_after(state_.options().idle_timeout);  // bounds a client that does not read
  const FirstWrite first = link_.write_now(reply_buffers_);
  if (first.error) return close();
  if (first.complete) return written(keep_alive, first.sent, 1);
  link_.write_rest(reply_buffers_, first.sent,
                   [self = shared_from_this(), keep_alive](boost::system::error_code ec, std::size_t bytes) {
                     if (ec) return self->close();
                     self->written(keep_alive, bytes, 2);  // at least
                   });
}

void HttpSession::written(bool keep_alive, std::size_t bytes, std::size_t writes) {
  state_.stats().add_delivery(reply_->event_count(), bytes, writes);
  reply_.reset();
  if (!keep_alive) return linger();
  if (buffer_.size() == 0) return read_request();
  // A pipelined request is there already: read it as a new turn, not deeper in this one.
  boost::asio::post(executor(), [self = shared_from_this()] { self->read_request(); });
}

// Closing with unread request bytes would reset the connection and could destroy the answer
// before the client reads it; so stop sending and drain what the client still sends, briefly.
void HttpSession::linger() {
  link_.shutdown_send();
  expire_after(limits::linger);  // for the whole drain, not each read
  drain();
}

void HttpSession::drain() {
  link_.wait_readable([self = shared_from_this()](boost::system::error_code ec) {
    std::array<char, read_chunk> dropped;
    boost::system::error_code read_ec;
    if (!ec) self->link_.read_now(boost::asio::buffer(dropped), read_ec);
    if (ec || (read_ec && read_ec != boost::asio::error::would_block)) return self->close();
    self->drain();
  });
}

void HttpSession::expire_after(std::chrono::nanoseconds timeout) {
  // Idle, or too slow to send its request or read its answer.
  deadline_.set(timeout, [self = shared_from_this()] { self->close(); });
}

void HttpSession::watch_for_hangup(std::function<void()> on_gone) {
  link_.wait_readable([self = shared_from_this(), on_gone = std::move(on_gone)](boost::system::error_code ec) mutable {
    if (ec) return;  // cancelled: the answer is going out
    switch (self->link_.peer_state()) {
      case PeerState::gone:
        return on_gone();
      case PeerState::quiet:
        return self->watch_for_hangup(std::move(on_gone));
      case PeerState::sent_bytes:
        return;  // a pipelined request, read after the answer
    }
  });
}

void HttpSession::stop_watching() { link_.cancel(); }

Handover HttpSession::take_connection() {
  deadline_.cancel();  // the stream keeps its own time
  return Handover{std::move(link_), std::move(slot_), thread_};
}

void HttpSession::close() {
  link_.close();
  deadline_.cancel();
}

}  // namespace pushbench
