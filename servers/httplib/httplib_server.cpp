#include "servers/httplib/httplib_server.hpp"

#include <httplib.h>

#include <boost/asio/ip/address.hpp>
#include <csignal>
#include <thread>

#include "core/clock.hpp"
#include "core/json.hpp"
#include "core/query.hpp"
#include "servers/httplib/techniques.hpp"

namespace pushbench {

HttplibServer::HttplibServer(ServerOptions options)
    : state_(std::move(options)), http_(std::make_unique<httplib::Server>()), signals_(ioc_, SIGINT, SIGTERM),
      stop_retry_(ioc_), publisher_(ioc_.get_executor(), state_) {
  const ServerOptions& o = state_.options();
  if (o.threads > 0) {
    const auto threads = static_cast<std::size_t>(o.threads);
    http_->new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  }
  const auto idle = std::chrono::duration_cast<std::chrono::seconds>(o.idle_timeout);
  http_->set_read_timeout(std::max<std::chrono::seconds>(idle, std::chrono::seconds(1)));
  http_->set_keep_alive_timeout(std::max<time_t>(idle.count(), 1));
  http_->set_keep_alive_max_count(1u << 30);  // like the Beast backend: no cap on requests per connection
  http_->set_payload_max_length(o.max_body_bytes);
  http_->set_tcp_nodelay(true);  // as the Beast backend does: small events go out at once
  // cpp-httplib's default also sets SO_REUSEPORT, which lets a second server share a busy port
  // silently; like the Beast backend, only SO_REUSEADDR, so a busy port is an error.
  http_->set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  add_routes();
}

HttplibServer::~HttplibServer() = default;

void HttplibServer::add_routes() {
  const auto answer_json = [](httplib::Response& res, int status, const std::string& body) {
    res.status = status;
    res.set_header("Cache-Control", "no-store");
    res.set_content(body, "application/json");
  };
  // A request counts as a connection while its handler runs (cpp-httplib shows no connections to
  // the application; an SSE stream holds its own); a BadRequest is answered 400.
  const auto guarded = [this, answer_json](auto handler) {
    return [this, answer_json, handler](const httplib::Request& req, httplib::Response& res) {
      const ConnectionSlot in_progress(state_.stats());
      state_.stats().requests.fetch_add(1, std::memory_order_relaxed);
      try {
        handler(req, res);
      } catch (const BadRequest& bad) {
        state_.stats().bad_requests.fetch_add(1, std::memory_order_relaxed);
        answer_json(res, 400, json_error(bad.what()));
      }
    };
  };
  http_->Get("/healthz", guarded([](const httplib::Request&, httplib::Response& res) {
    res.set_content("ok", "text/plain");
  }));
  http_->Get("/stats", guarded([this, answer_json](const httplib::Request&, httplib::Response& res) {
    answer_json(res, 200, state_.stats_json());
  }));
  http_->Post("/publish", guarded([this, answer_json](const httplib::Request& req, httplib::Response& res) {
    if (!is_valid_utf8(req.body)) throw BadRequest("the event data must be UTF-8");
    answer_json(res, 200, "{\"seq\":" + std::to_string(state_.publish(realtime_ns(), req.body)) + "}");
  }));
  for (const HttplibTechnique& technique : httplib_techniques()) {
    if (state_.options().serves(technique.name)) {
      http_->Get(std::string(technique.path), guarded([this, technique](const httplib::Request& req, httplib::Response& res) {
        technique.serve(state_, req, res);
      }));
    }
  }
  // A known path asked with the wrong method is 405, as on the Beast backend, not 404.
  const auto wrong_method = [answer_json](std::string allowed) {
    return [answer_json, allowed](const httplib::Request&, httplib::Response& res) {
      answer_json(res, 405, json_error("method not allowed; use " + allowed));
      res.set_header("Allow", allowed);
    };
  };
  http_->Get("/publish", wrong_method("POST"));
  for (const char* path : {"/healthz", "/stats", "/poll", "/long-poll", "/sse"}) http_->Post(path, wrong_method("GET"));
  http_->set_error_handler([](const httplib::Request&, httplib::Response& res) {
    if (res.body.empty()) {
      res.set_content(json_error(res.status == 404 ? "no such endpoint" : "HTTP status " + std::to_string(res.status)),
                      "application/json");
    }
  });
}

boost::asio::ip::tcp::endpoint HttplibServer::listen() {
  const ServerOptions& o = state_.options();
  const int port = o.port == 0 ? http_->bind_to_any_port(o.bind) : (http_->bind_to_port(o.bind, static_cast<int>(o.port)) ? static_cast<int>(o.port) : -1);
  if (port < 0) throw boost::system::system_error(boost::asio::error::address_in_use);
  return {boost::asio::ip::make_address(o.bind), static_cast<unsigned short>(port)};
}

void HttplibServer::run() {
  const ServerOptions& o = state_.options();
  if (o.rate > 0) publisher_.start(o.rate, o.payload);
  signals_.async_wait([this](boost::system::error_code ec, int) {
    if (ec) return;
    publisher_.stop();
    state_.shutdown_all();  // wakes every blocked stream and long poll
    stop_listening();
  });
  std::jthread loop([this] { ioc_.run(); });
  http_->listen_after_bind();
  listen_returned_ = true;
  ioc_.stop();
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
