#include "servers/beast/link.hpp"

#include <openssl/err.h>

namespace pushbench {

Link::Link(tcp::socket socket, SSL_CTX* tls) : socket_(std::move(socket)) {
  boost::system::error_code ignored;
  socket_.non_blocking(true, ignored);  // reads and writes return instead of waiting
  if (!tls) return;
  ssl_.reset(SSL_new(tls));
  if (!ssl_ || SSL_set_fd(ssl_.get(), socket_.native_handle()) != 1) {
    ERR_clear_error();
    ssl_.reset();
    socket_.close(ignored);  // out of memory: the connection fails, as a failed accept would
    return;
  }
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
  if (!socket_.is_open()) {
    ec = boost::asio::error::bad_descriptor;  // closed: its number may be another connection's now
    return 0;
  }
  std::size_t n = 0;
  if (SSL_read_ex(ssl_.get(), buffer.data(), buffer.size(), &n) == 1) return n;
  const int reason = SSL_get_error(ssl_.get(), 0);
  ec = waits_for_socket(reason) ? boost::asio::error::would_block : failure(reason);
  return 0;
}

FirstWrite Link::write_now(Buffers buffers) {
  if (!ssl_) return write_at_once(socket_, buffers);
  // OpenSSL encrypts from one piece of memory: the gathered buffers are laid end to end in a
  // buffer of the thread's; only what the socket does not take now is kept by the connection.
  thread_local std::string flat;
  flat.clear();
  for (const boost::asio::const_buffer& b : buffers) flat.append(static_cast<const char*>(b.data()), b.size());
  const FirstWrite first = write_tls(flat);
  if (!first.error && !first.complete) unsent_.assign(flat, first.sent);
  unsent_at_ = 0;
  return first;
}

FirstWrite Link::write_tls(std::string_view plain) {
  FirstWrite result;
  write_wants_read_ = false;
  while (result.sent < plain.size()) {
    std::size_t n = 0;
    if (SSL_write_ex(ssl_.get(), plain.data() + result.sent, plain.size() - result.sent, &n) != 1) {
      const int reason = SSL_get_error(ssl_.get(), 0);
      if (!waits_for_socket(reason)) result.error = failure(reason);
      write_wants_read_ = reason == SSL_ERROR_WANT_READ;
      return result;
    }
    result.sent += n;
  }
  result.complete = true;
  return result;
}

PeerState Link::peer_state() {
  if (!ssl_) return pushbench::peer_state(socket_.native_handle());
  if (!socket_.is_open()) return PeerState::gone;
  char byte;
  std::size_t n = 0;
  if (SSL_peek_ex(ssl_.get(), &byte, 1, &n) == 1) return PeerState::sent_bytes;
  const int reason = SSL_get_error(ssl_.get(), 0);
  if (waits_for_socket(reason)) return PeerState::quiet;
  failure(reason);
  return PeerState::gone;
}

void Link::shutdown_send() {
  if (ssl_ && socket_.is_open() && SSL_is_init_finished(ssl_.get()) && SSL_shutdown(ssl_.get()) < 0) ERR_clear_error();
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
