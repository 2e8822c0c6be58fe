#include "servers/httplib/httplib_server.hpp"

#include <httplib.h>

#include <boost/asio/ip/address.hpp>
#include <cerrno>
#include <csignal>
#include <thread>

#include "core/json.hpp"
#include "servers/httplib/connection_threads.hpp"
#include "servers/httplib/httplib_exchange.hpp"
#include "servers/limits.hpp"
#include "servers/router.hpp"
#include "servers/tls_context.hpp"

namespace pushbench {
namespace {

// cpp-httplib's own TLS server when --tls asks for it, set up as the event-loop backend's.
std::unique_ptr<httplib::Server> make_http_server(SharedState& state) {
  const TlsOptions& tls = state.options().tls;
  if (!tls.enabled()) return std::make_unique<httplib::Server>();
  return std::make_unique<httplib::SSLServer>([&](SSL_CTX& ctx) {
    configure_tls(ctx, tls, state.stats());
    return true;
  });
}

}  // namespace

HttplibServer::HttplibServer(ServerOptions options)
    : state_(std::move(options)),
      http_(make_http_server(state_)),
      signals_(ioc_, SIGINT, SIGTERM),
      stop_retry_(ioc_),
      publisher_(ioc_.get_executor(), state_) {
  state_.attach_publisher(&publisher_);
  const ServerOptions& o = state_.options();
  // A thread per connection up to --max-connections, or a pool of --threads.
  const auto threads = static_cast<std::size_t>(o.threads > 0 ? o.threads : o.max_connections);
  http_->new_task_queue = [threads] { return new ConnectionThreads(threads, limits::httplib_max_waiting); };
  const auto idle = std::chrono::duration_cast<std::chrono::seconds>(o.idle_timeout);
  http_->set_read_timeout(std::max<std::chrono::seconds>(idle, std::chrono::seconds(1)));
  http_->set_keep_alive_timeout(std::max<time_t>(idle.count(), 1));
  http_->set_keep_alive_max_count(1u << 30);  // no cap on requests per connection, as on the event-loop backend
  http_->set_payload_max_length(o.max_body_bytes);
  http_->set_tcp_nodelay(true);  // small events go out at once (Nagle would hold them for delayed ACKs)
  // cpp-httplib's default also sets SO_REUSEPORT, which lets a second server share a busy port
  // silently; only SO_REUSEADDR, so a busy port is an error.
  http_->set_socket_options([this](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
    listening_socket_ = sock;
  });
  add_routes();
}

HttplibServer::~HttplibServer() = default;

// Every request goes to the router that the event-loop backend uses too; a request counts as a
// connection while its handler runs (cpp-httplib shows no connections to the application).
void HttplibServer::add_routes() {
  const auto to_router = [this](const httplib::Request& req, httplib::Response& res) {
    const ConnectionSlot in_progress(state_.stats());
    HttplibExchange exchange(state_, req, res);
    route(exchange);
  };
  for (auto add : {&httplib::Server::Get, &httplib::Server::Post, &httplib::Server::Put, &httplib::Server::Patch,
                   &httplib::Server::Delete}) {
    (http_.get()->*add)(".*", to_router);
  }
  http_->Options(".*", to_router);
  // What cpp-httplib answers itself (413, 400 on a malformed request) gets our error body too.
  http_->set_error_handler([this](const httplib::Request&, httplib::Response& res) {
    state_.stats().bad_requests.fetch_add(1, std::memory_order_relaxed);
    if (res.body.empty()) res.set_content(json_error("HTTP status " + std::to_string(res.status)), "application/json");
  });
}

boost::asio::ip::tcp::endpoint HttplibServer::listen() {
  const ServerOptions& o = state_.options();
  errno = 0;
  const int port = o.port == 0
                       ? http_->bind_to_any_port(o.bind)
                       : (http_->bind_to_port(o.bind, static_cast<int>(o.port)) ? static_cast<int>(o.port) : -1);
  // cpp-httplib says only that it failed; the reason is what bind() or listen() left in errno.
  if (port < 0) throw boost::system::system_error(errno ? errno : EADDRNOTAVAIL, boost::system::system_category());
  // cpp-httplib listens with a backlog of 5: a burst of connections would wait for SYN
  // retransmits (1 s, 3 s...). Listening again sets the backlog the event-loop backend has.
  ::listen(listening_socket_, SOMAXCONN);
  return {boost::asio::ip::make_address(o.bind), static_cast<unsigned short>(port)};
}

void HttplibServer::run() {
  const ServerOptions& o = state_.options();
  if (o.rate > 0) publisher_.start(o.rate, o.payload);
  signals_.async_wait([this](boost::system::error_code ec, int) {
    if (ec) return;
    publisher_.stop();
    state_.shutdown_all();  // wakes every blocked stream and long poll
    stop_after_streams(std::chrono::steady_clock::now() + limits::shutdown_grace);
  });
  std::jthread loop([this] { ioc_.run(); });
  http_->listen_after_bind();
  listen_returned_ = true;
  ioc_.stop();
}

// cpp-httplib's stop() ends the streams' content providers where they are: it comes once they
// have written their farewell (or the grace period is over).
void HttplibServer::stop_after_streams(std::chrono::steady_clock::time_point deadline) {
  if (state_.stats().subscribers_open() == 0 || std::chrono::steady_clock::now() >= deadline) return stop_listening();
  stop_retry_.expires_after(std::chrono::milliseconds(10));
  stop_retry_.async_wait([this, deadline](boost::system::error_code ec) {
    if (!ec) stop_after_streams(deadline);
  });
}

// cpp-httplib's stop() does nothing before its accept loop runs: a signal that comes that early
// is retried until the loop is there to stop.
void HttplibServer::stop_listening() {
  if (http_->is_running() || listen_returned_) return http_->stop();
  stop_retry_.expires_after(std::chrono::milliseconds(10));
  stop_retry_.async_wait([this](boost::system::error_code ec) {
    if (!ec) stop_listening();
  });
}

}  // namespace pushbench
