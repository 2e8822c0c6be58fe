#pragma once
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <memory>

#include "servers/beast/listener.hpp"
#include "servers/publisher.hpp"
#include "servers/shared_state.hpp"

namespace pushbench {

// The Beast server: one io_context run by --threads threads, the listener, the built-in publisher,
// and a clean stop on SIGINT/SIGTERM (streams closed, WebSocket close 1001, out within 2 s).
class BeastServer {
 public:
  explicit BeastServer(ServerOptions options);

  boost::asio::ip::tcp::endpoint listen();  // throws boost::system::system_error
  void run();                               // until a stop signal

 private:
  void stop();
  void wait_for_streams(std::chrono::steady_clock::time_point deadline);

  SharedState state_;  // first: sessions still unsubscribe from it while the io_context is destroyed
  boost::asio::io_context ioc_;
  boost::asio::signal_set signals_;
  std::shared_ptr<Listener> listener_;
  Publisher publisher_;
  boost::asio::steady_timer stop_timer_;
};

}  // namespace pushbench
