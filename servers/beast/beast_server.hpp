#pragma once
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <memory>
#include <vector>

#include "servers/beast/io_thread.hpp"
#include "servers/beast/listener.hpp"
#include "servers/publisher.hpp"
#include "servers/shared_state.hpp"
#include "servers/tls_context.hpp"

namespace pushbench {

// The Beast server: --threads io threads (each an io_context of its own), the listener and the
// built-in publisher on the first, and a clean stop on SIGINT/SIGTERM (streams closed, WebSocket
// close 1001, out within 2 s).
class BeastServer {
 public:
  explicit BeastServer(ServerOptions options);

  boost::asio::ip::tcp::endpoint listen();  // throws boost::system::system_error
  void run();                               // until a stop signal

 private:
  boost::asio::io_context& main_context() { return threads_.front()->context(); }
  void stop();
  void wait_for_streams(std::chrono::steady_clock::time_point deadline);

  SharedState state_;  // first: held polls still cancel their waits in it while the io_contexts are destroyed
  std::vector<std::shared_ptr<IoThread>> threads_;
  SslCtxPtr tls_;  // null: plain TCP
  boost::asio::signal_set signals_;
  std::shared_ptr<Listener> listener_;
  Publisher publisher_;
  boost::asio::steady_timer stop_timer_;
};

}  // namespace pushbench
