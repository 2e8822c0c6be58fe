#include "clients/wire.hpp"

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>

namespace pushbench {

std::unique_ptr<boost::asio::ssl::context> make_client_tls(const ClientOptions& options) {
  if (!options.tls) return nullptr;
  namespace ssl = boost::asio::ssl;
  auto context = std::make_unique<ssl::context>(ssl::context::tls_client);
  SSL_CTX* ctx = context->native_handle();
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_max_proto_version(ctx, options.tls_max_version == "1.2" ? TLS1_2_VERSION : TLS1_3_VERSION);
  if (options.tls_verify == "off") {
    context->set_verify_mode(ssl::verify_none);
  } else {
    context->set_verify_mode(ssl::verify_peer);
    if (options.tls_verify == "system")
      context->set_default_verify_paths();
    else
      context->load_verify_file(options.tls_verify);
  }
  return context;
}

Wire::Wire(WireTap tap, boost::asio::io_context& ioc, boost::asio::ssl::context* tls) : counted_(tap, ioc) {
  if (tls) tls_.emplace(counted_, *tls);
}

void Wire::prepare_tls(const std::string& host, SSL_SESSION* session) {
  if (!tls_) return;
  SSL* ssl = tls_->native_handle();
  boost::system::error_code not_an_address;
  boost::asio::ip::make_address(host, not_an_address);
  if (not_an_address) SSL_set_tlsext_host_name(ssl, host.c_str());  // SNI names hosts, not addresses
  if (SSL_get_verify_mode(ssl) != SSL_VERIFY_NONE)
    tls_->set_verify_callback(boost::asio::ssl::host_name_verification(host));
  if (session) SSL_set_session(ssl, session);
}

SslSession Wire::resumable_session() {
  if (!tls_) return nullptr;
  // A copy: OpenSSL marks the connection's own session unusable when the connection is freed
  // without a close_notify, as servers closing an idle connection commonly do.
  SSL_SESSION* current = SSL_get_session(tls_->native_handle());
  if (!current || !SSL_SESSION_is_resumable(current)) return nullptr;
  return SslSession(SSL_SESSION_dup(current));
}

FirstWrite Wire::write_now(Buffers buffers) {
  if (tls_) return {};
  const FirstWrite first = write_at_once(socket(), buffers);
  account(tap(), true, buffers, first.sent);
  return first;
}

}  // namespace pushbench
