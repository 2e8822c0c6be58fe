#pragma once
#include <openssl/ssl.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "core/write_at_once.hpp"
#include "servers/beast/peer_state.hpp"

namespace pushbench {

// A connection's bytes after accept: the TCP socket, or TLS over it. TLS is OpenSSL on the same
// non-blocking socket (as nginx runs it), so a session reads and writes either the same way: a
// write goes out at once when the socket has room, and only a full socket or a missing record is
// waited for. Completions never run inside the call that started them, as with Asio.
class Link {
 public:
  using tcp = boost::asio::ip::tcp;

  explicit Link(tcp::socket socket, SSL_CTX* tls = nullptr);

  bool tls() const { return ssl_ != nullptr; }
  tcp::socket& socket() { return socket_; }

  // TLS: the server's side of the handshake, then `done(error)`. Plain: `done({})`.
  template <typename Handler>
  void handshake(Handler done) {
    if (!ssl_) return finish([done = std::move(done)]() mutable { done(boost::system::error_code{}); });
    until_done([this] { return SSL_do_handshake(ssl_.get()); },
               [done = std::move(done)](boost::system::error_code ec, int) mutable { done(ec); });
  }

  // Reads what comes next into `buffer`: Asio's own read for TCP (it registers nothing with epoll
  // when it waits), OpenSSL's for TLS.
  template <typename Handler>
  void async_read_some(boost::asio::mutable_buffer buffer, Handler done) {
    if (!ssl_) return socket_.async_read_some(buffer, std::move(done));
    until_done(
        [this, buffer] {
          std::size_t n = 0;
          return SSL_read_ex(ssl_.get(), buffer.data(), buffer.size(), &n) == 1 ? static_cast<int>(n) : -1;
        },
        [done = std::move(done)](boost::system::error_code ec, int n) mutable {
          done(ec, ec ? 0 : static_cast<std::size_t>(n));
        });
  }

  // What is there now, without waiting: bytes; 0 with would_block when nothing is; eof or another
  // error when the connection is gone.
  std::size_t read_now(boost::asio::mutable_buffer buffer, boost::system::error_code& ec);

  // Calls `done(error)` when read_now() may have bytes: soon when TLS holds decrypted ones already
  // (a record only partly received waits for the socket like anything else).
  template <typename Handler>
  void wait_readable(Handler done) {
    if (!ssl_ || SSL_pending(ssl_.get()) == 0) return socket_.async_wait(tcp::socket::wait_read, std::move(done));
    finish([this, done = std::move(done)]() mutable {
      done(socket_.is_open() ? boost::system::error_code{} : boost::asio::error::operation_aborted);
    });
  }

  // As much of `buffers` as the socket takes now (see write_at_once).
  FirstWrite write_now(Buffers buffers);

  // The rest after `sent` bytes, when the socket takes it; `done(error, bytes written in all)`.
  // TCP: `buffers` must outlive the write. TLS: the rest is the connection's own copy.
  template <typename Handler>
  void write_rest(Buffers buffers, std::size_t sent, Handler done) {
    if (!ssl_) return pushbench::write_rest(socket_, buffers, sent, std::move(done));
    // A write before the handshake (a 503 at accept) makes OpenSSL shake hands first: it may want to read.
    socket_.async_wait(write_wants_read_ ? tcp::socket::wait_read : tcp::socket::wait_write,
                       [this, buffers, sent, done = std::move(done)](boost::system::error_code ec) mutable {
                         if (ec) return done(ec, sent);
                         const FirstWrite more = write_tls(std::string_view(unsent_).substr(unsent_at_));
                         unsent_at_ += more.sent;
                         if (!more.error && !more.complete)
                           return write_rest(buffers, sent + more.sent, std::move(done));
                         std::string().swap(unsent_);  // a connection holds no copy between writes
                         unsent_at_ = 0;
                         done(more.error, sent + more.sent);
                       });
  }

  // Whether a client the server is not reading from is still there (see peer_state.hpp).
  PeerState peer_state();
  void shutdown_send();  // TLS: a close_notify first
  void cancel();         // the waits in progress
  void close();

 private:
  struct SslDeleter {
    void operator()(SSL* ssl) const { SSL_free(ssl); }
  };

  // Runs `attempt` (an OpenSSL call on the non-blocking socket, > 0 when it succeeded) until it
  // stops asking for the socket, waiting in between for what it asks; then `done(error, result)`.
  template <typename Attempt, typename Handler>
  void until_done(Attempt attempt, Handler done, bool waited = false) {
    const int result = attempt();
    const int reason = result > 0 ? SSL_ERROR_NONE : SSL_get_error(ssl_.get(), result);
    if (waits_for_socket(reason)) {
      socket_.async_wait(reason == SSL_ERROR_WANT_READ ? tcp::socket::wait_read : tcp::socket::wait_write,
                         [this, attempt, done = std::move(done)](boost::system::error_code ec) mutable {
                           if (ec) return done(ec, 0);
                           until_done(std::move(attempt), std::move(done), true);
                         });
      return;
    }
    const boost::system::error_code ec = result > 0 ? boost::system::error_code{} : failure(reason);
    if (waited) return done(ec, result);
    // Done at once (bytes OpenSSL held already): later, or a reader of many records would recurse.
    finish([done = std::move(done), ec, result]() mutable { done(ec, result); });
  }

  template <typename Completion>
  void finish(Completion completion) {
    boost::asio::post(socket_.get_executor(), std::move(completion));
  }

  // Writes `plain` through TLS until all is written or the socket is full.
  FirstWrite write_tls(std::string_view plain);
  // OpenSSL stopped for the socket (to read or to write), not for an error.
  static bool waits_for_socket(int reason) { return reason == SSL_ERROR_WANT_READ || reason == SSL_ERROR_WANT_WRITE; }
  // OpenSSL's reason as an error: eof for a close_notify, and the thread's error queue emptied.
  static boost::system::error_code failure(int reason);

  tcp::socket socket_;
  std::unique_ptr<SSL, SslDeleter> ssl_;
  std::string unsent_;  // TLS: what a write that did not finish still has to send, from unsent_at_
  std::size_t unsent_at_ = 0;
  bool write_wants_read_ = false;  // the last TLS write stopped for want of the client's bytes
};

}  // namespace pushbench
