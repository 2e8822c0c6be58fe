#include "servers/beast/beast_server.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <csignal>
#include <thread>

#include "servers/limits.hpp"

namespace pushbench {

namespace {
std::vector<std::shared_ptr<IoThread>> make_threads(SharedState& state) {
  std::vector<std::shared_ptr<IoThread>> threads(std::max<std::uint64_t>(state.options().threads, 1));
  for (auto& thread : threads) {
    // Room for one publisher catch-up burst and a subscriber's worth behind it.
    thread = std::make_shared<IoThread>(limits::publish_burst + state.options().max_queued_events);
    state.subscribe(thread);
  }
  return threads;
}
}  // namespace

BeastServer::BeastServer(ServerOptions options)
    : state_(std::move(options)),
      threads_(make_threads(state_)),
      tls_(make_tls_context(state_.options().tls, state_.stats())),
      signals_(main_context(), SIGINT, SIGTERM),
      listener_(std::make_shared<Listener>(threads_, state_, tls_.get())),
      publisher_(main_context().get_executor(), state_),
      stop_timer_(main_context()) {
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
  std::vector<std::jthread> others;
  for (std::size_t i = 1; i < threads_.size(); ++i) {
    others.emplace_back([context = &threads_[i]->context()] {
      const auto idle_until_stopped = boost::asio::make_work_guard(*context);
      context->run();
    });
  }
  main_context().run();
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
  if (state_.stats().subscribers_open() == 0 || std::chrono::steady_clock::now() >= deadline) {
    for (const auto& thread : threads_) thread->context().stop();
    return;
  }
  stop_timer_.expires_after(std::chrono::milliseconds(20));
  stop_timer_.async_wait([this, deadline](boost::system::error_code) { wait_for_streams(deadline); });
}

}  // namespace pushbench
