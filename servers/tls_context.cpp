#include "servers/tls_context.hpp"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509v3.h>

#include <cstdint>

namespace pushbench {
namespace {

constexpr long self_signed_validity_s = 24 * 3600;  // a throwaway certificate outlives any run

[[noreturn]] void fail(const std::string& what) {
  char reason[256] = "no detail";
  if (const unsigned long code = ERR_get_error()) ERR_error_string_n(code, reason, sizeof reason);
  ERR_clear_error();
  throw CannotStart(what + ": " + reason);
}

struct KeyDeleter {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct CertDeleter {
  void operator()(X509* cert) const { X509_free(cert); }
};

void add_extension(X509* cert, int nid, const char* value) {
  X509V3_CTX v3;
  X509V3_set_ctx_nodb(&v3);
  X509V3_set_ctx(&v3, cert, cert, nullptr, nullptr, 0);
  X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &v3, nid, value);
  if (!extension || !X509_add_ext(cert, extension, -1)) fail("self-signed certificate: extension");
  X509_EXTENSION_free(extension);
}

// A P-256 key and a certificate for localhost and 127.0.0.1, made at start so a run needs no files.
void use_self_signed(SSL_CTX& ctx) {
  std::unique_ptr<EVP_PKEY, KeyDeleter> key(EVP_EC_gen("P-256"));
  std::unique_ptr<X509, CertDeleter> cert(X509_new());
  if (!key || !cert) fail("self-signed certificate: key");
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -60);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), self_signed_validity_s);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  X509_set_pubkey(cert.get(), key.get());
  add_extension(cert.get(), NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1,IP:::1");
  if (!X509_sign(cert.get(), key.get(), EVP_sha256())) fail("self-signed certificate: signature");
  if (SSL_CTX_use_certificate(&ctx, cert.get()) != 1 || SSL_CTX_use_PrivateKey(&ctx, key.get()) != 1)
    fail("self-signed certificate: use");
}

void use_files(SSL_CTX& ctx, const TlsOptions& options) {
  if (SSL_CTX_use_certificate_chain_file(&ctx, options.cert_file.c_str()) != 1) fail("--tls-cert " + options.cert_file);
  if (SSL_CTX_use_PrivateKey_file(&ctx, options.key_file.c_str(), SSL_FILETYPE_PEM) != 1)
    fail("--tls-key " + options.key_file);
  if (SSL_CTX_check_private_key(&ctx) != 1) fail("--tls-key does not match --tls-cert");
}

// Handshakes are counted where both backends see them, in OpenSSL's callbacks: each connection
// is marked when its handshake starts and when it finishes, and one freed between the two (plain
// HTTP, garbage, a client stalled past the timeout, a stop) is a failed handshake.
enum HandshakeMark : std::intptr_t { started = 1, finished = 2 };

Stats& stats_of(const SSL* ssl) { return *static_cast<Stats*>(SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl))); }

void count_unfinished(void* ssl, void* mark, CRYPTO_EX_DATA*, int, long, void*) {
  if (reinterpret_cast<std::intptr_t>(mark) != started) return;
  stats_of(static_cast<SSL*>(ssl)).tls_handshake_failures.fetch_add(1, std::memory_order_relaxed);
}

int mark_index() {
  static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, count_unfinished);
  return index;
}

void count_handshake(const SSL* ssl, int where, int) {
  SSL* connection = const_cast<SSL*>(ssl);  // OpenSSL passes it const; its marks are ours to set
  if (where & SSL_CB_HANDSHAKE_START && !SSL_get_ex_data(connection, mark_index())) {
    SSL_set_ex_data(connection, mark_index(), reinterpret_cast<void*>(started));
  }
  if (!(where & SSL_CB_HANDSHAKE_DONE)) return;
  SSL_set_ex_data(connection, mark_index(), reinterpret_cast<void*>(finished));
  Stats& stats = stats_of(ssl);
  stats.tls_handshakes.fetch_add(1, std::memory_order_relaxed);
  if (SSL_session_reused(ssl)) stats.tls_resumed.fetch_add(1, std::memory_order_relaxed);
}

}  // namespace

void configure_tls(SSL_CTX& ctx, const TlsOptions& options, Stats& stats) {
  if (options.mode == "self-signed") {
    use_self_signed(ctx);
  } else {
    use_files(ctx, options);
  }
  SSL_CTX_set_min_proto_version(&ctx, options.min_version == "1.3" ? TLS1_3_VERSION : TLS1_2_VERSION);
  SSL_CTX_set_max_proto_version(&ctx, TLS1_3_VERSION);
  SSL_CTX_set_options(&ctx, SSL_OP_NO_RENEGOTIATION);  // a client's renegotiations would cost a handshake each
  // Idle connections hold no record buffers, as nginx runs OpenSSL; partial writes let a full
  // socket stop a gathered write between records.
  SSL_CTX_set_mode(&ctx,
                   SSL_MODE_RELEASE_BUFFERS | SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  if (!options.resumption) {
    SSL_CTX_set_options(&ctx, SSL_OP_NO_TICKET);
    SSL_CTX_set_num_tickets(&ctx, 0);
    SSL_CTX_set_session_cache_mode(&ctx, SSL_SESS_CACHE_OFF);
  }
  SSL_CTX_set_app_data(&ctx, &stats);
  SSL_CTX_set_info_callback(&ctx, count_handshake);
}

SslCtxPtr make_tls_context(const TlsOptions& options, Stats& stats) {
  if (!options.enabled()) return nullptr;
  SslCtxPtr ctx(SSL_CTX_new(TLS_server_method()));
  if (!ctx) fail("TLS context");
  configure_tls(*ctx, options, stats);
  return ctx;
}

}  // namespace pushbench
