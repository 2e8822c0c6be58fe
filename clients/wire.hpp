#pragma once
#include <openssl/ssl.h>

#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <memory>
#include <optional>
#include <string>

#include "clients/client_options.hpp"
#include "clients/counting_stream.hpp"
#include "core/write_at_once.hpp"

namespace pushbench {

struct SslSessionDeleter {
  void operator()(SSL_SESSION* session) const { SSL_SESSION_free(session); }
};
using SslSession = std::unique_ptr<SSL_SESSION, SslSessionDeleter>;

// The client's TLS settings (--tls-verify, --tls-max-version); null for a plain URL.
std::unique_ptr<boost::asio::ssl::context> make_client_tls(const ClientOptions& options);

// What one connection reads and writes through: TCP, counted just above it (CountingStream), and
// TLS above that when the URL is https. So bytes_in/out are what crossed the wire, TLS records
// included. Beast's HTTP and WebSocket run on it as on any stream; the polls' fast path (a write
// at once, a read of the socket itself) stays the same over TCP and goes through TLS otherwise.
class Wire {
 public:
  using executor_type = WireStream::executor_type;

  // `tls`: the client's TLS context, or null for plain TCP.
  Wire(WireTap tap, boost::asio::io_context& ioc, boost::asio::ssl::context* tls);

  using next_layer_type = WireStream;  // so Beast finds the TCP socket below (get_lowest_layer)
  WireStream& next_layer() { return counted_; }
  boost::beast::tcp_stream& tcp() { return counted_.next_layer(); }
  boost::asio::ip::tcp::socket& socket() { return tcp().socket(); }
  executor_type get_executor() noexcept { return counted_.get_executor(); }
  const WireTap& tap() const { return counted_.tap(); }
  bool tls() const { return tls_.has_value(); }

  // TLS: names the server (SNI, and the name the certificate is checked against) and offers
  // `session` to resume. Call before the handshake.
  void prepare_tls(const std::string& host, SSL_SESSION* session);
  // TLS: the client's handshake; plain: `done({})` at once.
  template <typename Handler>
  void async_handshake(Handler done) {
    if (!tls_) return done(boost::system::error_code{});
    tls_->async_handshake(boost::asio::ssl::stream_base::client, std::move(done));
  }
  bool resumed() { return tls_ && SSL_session_reused(tls_->native_handle()); }
  std::string_view tls_version() { return tls_ ? SSL_get_version(tls_->native_handle()) : ""; }
  std::string_view tls_cipher() { return tls_ ? SSL_get_cipher_name(tls_->native_handle()) : ""; }
  // The session to offer on the next connection, when the server gave one (TLS 1.3 sends its
  // ticket after the handshake, so this is asked when the connection is replaced).
  SslSession resumable_session();

  template <typename Buffers, typename Token>
  auto async_read_some(const Buffers& buffers, Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::system::error_code, std::size_t)>(
        [this](auto handler, const Buffers& b) {
          if (tls_) return tls_->async_read_some(b, std::move(handler));
          counted_.async_read_some(b, std::move(handler));
        },
        token, buffers);
  }

  template <typename Buffers, typename Token>
  auto async_write_some(const Buffers& buffers, Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::system::error_code, std::size_t)>(
        [this](auto handler, const Buffers& b) {
          if (tls_) return tls_->async_write_some(b, std::move(handler));
          counted_.async_write_some(b, std::move(handler));
        },
        token, buffers);
  }

  // The polls' fast path. Plain: a write at once on the non-blocking socket, counted here; TLS:
  // nothing yet (write_rest writes it all through TLS).
  FirstWrite write_now(Buffers buffers);
  template <typename Handler>
  void write_rest(Buffers buffers, std::size_t sent, Handler done) {
    if (tls_) return boost::asio::async_write(*this, buffers, std::move(done));
    pushbench::write_rest(
        socket(), buffers, sent,
        [this, buffers, sent, done = std::move(done)](boost::system::error_code ec, std::size_t bytes) mutable {
          boost::beast::buffers_suffix<Buffers> rest(buffers);
          rest.consume(sent);
          account(tap(), true, rest, bytes - sent);
          done(ec, bytes);
        });
  }
  // A read of the socket itself when plain (no timer of tcp_stream's), counted; TLS otherwise.
  template <typename Handler>
  void read_some_now(boost::asio::mutable_buffer space, Handler done) {
    if (tls_) return tls_->async_read_some(space, std::move(done));
    socket().async_read_some(
        space, [this, space, done = std::move(done)](boost::system::error_code ec, std::size_t n) mutable {
          account(tap(), false, space, n);
          done(ec, n);
        });
  }

 private:
  WireStream counted_;
  std::optional<boost::asio::ssl::stream<WireStream&>> tls_;
};

// WebSocket closing goes through to TCP: a close_notify is not waited for (browsers do not either).
template <typename Handler>
void async_teardown(boost::beast::role_type role, Wire& wire, Handler&& handler) {
  using boost::beast::websocket::async_teardown;
  async_teardown(role, wire.tcp(), std::forward<Handler>(handler));
}

inline void teardown(boost::beast::role_type role, Wire& wire, boost::system::error_code& ec) {
  using boost::beast::websocket::teardown;
  teardown(role, wire.tcp(), ec);
}

}  // namespace pushbench
