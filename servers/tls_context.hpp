#pragma once
#include <openssl/ssl.h>

#include <memory>
#include <stdexcept>
#include <string>

#include "servers/stats.hpp"

namespace pushbench {

struct ServerOptions;

// What --tls* asked for.
struct TlsOptions {
  std::string mode;  // "" (plain TCP), "self-signed", or "files" (--tls-cert and --tls-key)
  std::string cert_file, key_file;
  std::string min_version = "1.2";  // TLS 1.3 is negotiated when the client can; 1.2 is allowed
  bool resumption = true;           // session tickets (TLS 1.3 and 1.2) and the session cache

  bool enabled() const { return !mode.empty(); }
};

// A TLS setting the server cannot use (a missing file, a key that does not match): it does not start.
struct CannotStart : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct SslCtxDeleter {
  void operator()(SSL_CTX* ctx) const { SSL_CTX_free(ctx); }
};
using SslCtxPtr = std::unique_ptr<SSL_CTX, SslCtxDeleter>;

// Sets up `ctx` as both backends use it: the certificate (read, or made now for "self-signed"),
// the versions, resumption, and callbacks that count completed and resumed handshakes in `stats`.
// Throws CannotStart naming the file and OpenSSL's reason.
void configure_tls(SSL_CTX& ctx, const TlsOptions& options, Stats& stats);

// A server context configured as above; null when TLS is off.
SslCtxPtr make_tls_context(const TlsOptions& options, Stats& stats);

}  // namespace pushbench
