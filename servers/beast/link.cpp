#include "servers/beast/link.hpp"

#include <openssl/err.h>

#include <string>

namespace pushbench {

Link::Link(tcp::socket socket, SSL_CTX* tls) : socket_(std::move(socket)) {
  boost::system::error_code ignored;
  socket_.non_blocking(true, ignored);  // reads and writes return instead of waiting
  if (!tls) return;
  ssl_.reset(SSL_new(tls));
  if (ssl_) SSL_set_fd(ssl_.get(), socket_.native_handle());
  SSL_set_accept_state(ssl_.get());
}

boost::system::error_code Link::failure(int reason) {
  ERR_clear_error();  // the queue is the thread's: left there, it would fail another connection's call
  if (reason == SSL_ERROR_ZERO_RETURN) return boost::asio::error::eof;
  if (reason == SSL_ERROR_SYSCALL && errno != 0) return {errno, boost::system::system_category()};
  return make_error_code(boost::system::errc::protocol_error);
}

std::size_t Link::read_now(boost::asio::mutable_buffer buffer, boost::system::error_code& ec) {
  ec.clear();
  if (!ssl_) return socket_.read_some(buffer, ec);
  std::size_t n = 0;
  if (SSL_read_ex(ssl_.get(), buffer.data(), buffer.size(), &n) == 1) return n;
  const int reason = SSL_get_error(ssl_.get(), 0);
  ec = reason == SSL_ERROR_WANT_READ || reason == SSL_ERROR_WANT_WRITE ? boost::asio::error::would_block
                                                                       : failure(reason);
  return 0;
}

FirstWrite Link::write_now(Buffers buffers) {
  if (!ssl_) return write_at_once(socket_, buffers);
  return write_tls(buffers, 0);
}

FirstWrite Link::write_tls(Buffers buffers, std::size_t from) {
  // OpenSSL encrypts from one piece of memory: the gathered buffers are laid end to end in a
  // buffer of the thread's, so a connection holds none between writes.
  thread_local std::string flat;
  flat.clear();
  std::size_t skip = from;
  for (const boost::asio::const_buffer& b : buffers) {
    const std::size_t drop = std::min(skip, b.size());
    flat.append(static_cast<const char*>(b.data()) + drop, b.size() - drop);
    skip -= drop;
  }
  FirstWrite result;
  result.sent = from;
  write_wants_read_ = false;
  for (std::size_t at = 0; at < flat.size();) {
    std::size_t n = 0;
    if (SSL_write_ex(ssl_.get(), flat.data() + at, flat.size() - at, &n) != 1) {
      const int reason = SSL_get_error(ssl_.get(), 0);
      if (reason != SSL_ERROR_WANT_WRITE && reason != SSL_ERROR_WANT_READ) result.error = failure(reason);
      write_wants_read_ = reason == SSL_ERROR_WANT_READ;
      return result;
    }
    at += n;
    result.sent += n;
  }
  result.complete = true;
  return result;
}

PeerState Link::peer_state() {
  if (!ssl_) return pushbench::peer_state(socket_.native_handle());
  char byte;
  std::size_t n = 0;
  if (SSL_peek_ex(ssl_.get(), &byte, 1, &n) == 1) return PeerState::sent_bytes;
  const int reason = SSL_get_error(ssl_.get(), 0);
  if (reason == SSL_ERROR_WANT_READ || reason == SSL_ERROR_WANT_WRITE) return PeerState::quiet;
  failure(reason);
  return PeerState::gone;
}

void Link::shutdown_send() {
  if (ssl_ && SSL_is_init_finished(ssl_.get()) && SSL_shutdown(ssl_.get()) < 0) ERR_clear_error();
  boost::system::error_code ignored;
  socket_.shutdown(tcp::socket::shutdown_send, ignored);
}

void Link::cancel() {
  boost::system::error_code ignored;
  socket_.cancel(ignored);
}

void Link::close() {
  boost::system::error_code ignored;
  socket_.close(ignored);
}

}  // namespace pushbench
