#include "servers/beast/beast_server.hpp"

#include "servers/limits.hpp"

#include <boost/asio/strand.hpp>
#include <csignal>
#include <thread>
#include <vector>

namespace pushbench {

BeastServer::BeastServer(ServerOptions options)
    : state_(std::move(options)),
      ioc_(static_cast<int>(std::max<std::uint64_t>(state_.options().threads, 1))),
      signals_(ioc_, SIGINT, SIGTERM),
      listener_(std::make_shared<Listener>(ioc_, state_)),
      publisher_(boost::asio::make_strand(ioc_), state_),
      stop_timer_(ioc_) {
  state_.attach_publisher(&publisher_);
}

boost::asio::ip::tcp::endpoint BeastServer::listen() {
  const ServerOptions& options = state_.options();
  return listener_->open({boost::asio::ip::make_address(options.bind), static_cast<unsigned short>(options.port)});
}

void BeastServer::run() {
  const ServerOptions& options = state_.options();
  listener_->run();
  publisher_.start(options.rate, options.payload);
  signals_.async_wait([this](boost::system::error_code ec, int) {
    if (!ec) stop();
  });
  std::vector<std::jthread> extra;
  for (std::uint64_t i = 1; i < std::max<std::uint64_t>(options.threads, 1); ++i)
    extra.emplace_back([this] { ioc_.run(); });
  ioc_.run();
}

void BeastServer::stop() {
  listener_->stop();
  publisher_.stop();
  state_.shutdown_all();
  wait_for_streams(std::chrono::steady_clock::now() + limits::shutdown_grace);
}

// Gives streams' goodbyes (WebSocket close handshakes, SSE retry lines) and held polls' answers
// time to go out, then stops whatever is left.
void BeastServer::wait_for_streams(std::chrono::steady_clock::time_point deadline) {
  if (state_.stats().subscribers_open() == 0 || std::chrono::steady_clock::now() >= deadline) return ioc_.stop();
  stop_timer_.expires_after(std::chrono::milliseconds(20));
  stop_timer_.async_wait([this, deadline](boost::system::error_code) { wait_for_streams(deadline); });
}

}  // namespace pushbench
