#include "servers/beast/http_session.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/write.hpp>

#include "servers/beast/beast_exchange.hpp"
#include "servers/beast/peer_state.hpp"
#include "servers/limits.hpp"
#include "servers/router.hpp"

namespace pushbench {

HttpSession::HttpSession(tcp::socket socket, SharedState& state, ConnectionSlot slot, IoThread& thread)
    : stream_(std::move(socket)), state_(state), slot_(std::move(slot)), thread_(thread) {}

void HttpSession::run() {
  boost::asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->do_read(); });
}

void HttpSession::do_read() {
  const ServerOptions& options = state_.options();
  parser_.emplace();
  parser_->header_limit(static_cast<std::uint32_t>(options.max_header_bytes));
  parser_->body_limit(options.max_body_bytes);
  stream_.expires_after(options.idle_timeout);  // also bounds a slow sender's request
  http::async_read(stream_, buffer_, *parser_,
                   [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
}

void HttpSession::on_read(beast::error_code ec) {
  if (ec == http::error::end_of_stream || ec == beast::error::timeout || ec == boost::asio::error::operation_aborted ||
      ec == boost::asio::error::connection_reset) {
    return close();
  }
  if (ec == http::error::header_limit) return refuse(431, "request line and headers are too large");
  if (ec == http::error::body_limit) return refuse(413, "request body is too large");
  if (ec) return refuse(400, "malformed HTTP request: " + ec.message());
  keep_alive_ = parser_->get().keep_alive();
  BeastExchange exchange(shared_from_this(), parser_->release());
  route(exchange);
}

void HttpSession::send_last(Reply reply) {
  keep_alive_ = false;
  send(std::move(reply));
}

void HttpSession::send(Reply reply) {
  if (reply.status() >= 400) state_.stats().bad_requests.fetch_add(1, std::memory_order_relaxed);
  reply_.emplace(std::move(reply));
  const bool keep_alive = keep_alive_;
  stream_.expires_after(state_.options().idle_timeout);
  boost::asio::async_write(stream_, reply_->buffers(keep_alive),
                           [self = shared_from_this(), keep_alive](beast::error_code ec, std::size_t bytes) {
                             self->on_write(keep_alive, ec, bytes);
                           });
}

void HttpSession::on_write(bool keep_alive, beast::error_code ec, std::size_t bytes) {
  state_.stats().add_delivery(reply_->event_count(), bytes);
  reply_.reset();
  if (ec) return close();
  if (!keep_alive) return linger();
  do_read();
}

// Closing with unread request bytes would reset the connection and could destroy the answer
// before the client reads it; so stop sending and drain what the client still sends, briefly.
void HttpSession::linger() {
  beast::error_code ignored;
  stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
  stream_.expires_after(limits::linger);  // for the whole drain, not each read
  drain();
}

void HttpSession::drain() {
  buffer_.clear();
  stream_.async_read_some(buffer_.prepare(4096), [self = shared_from_this()](beast::error_code ec, std::size_t) {
    if (ec) return self->close();
    self->drain();
  });
}

void HttpSession::watch_for_hangup(std::function<void()> on_gone) {
  stream_.socket().async_wait(tcp::socket::wait_read,
                              [self = shared_from_this(), on_gone = std::move(on_gone)](beast::error_code ec) mutable {
                                if (ec) return;  // cancelled: the answer is going out
                                switch (peer_state(self->stream_.socket().native_handle())) {
                                  case PeerState::gone:
                                    return on_gone();
                                  case PeerState::quiet:
                                    return self->watch_for_hangup(std::move(on_gone));
                                  case PeerState::sent_bytes:
                                    return;  // a pipelined request, read after the answer
                                }
                              });
}

void HttpSession::stop_watching() {
  beast::error_code ignored;
  stream_.socket().cancel(ignored);
}

Handover HttpSession::take_connection() { return Handover{std::move(stream_), std::move(slot_), thread_}; }

void HttpSession::close() { stream_.close(); }

}  // namespace pushbench
