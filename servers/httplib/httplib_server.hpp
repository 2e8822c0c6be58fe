#pragma once
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <memory>

#include "servers/publisher.hpp"
#include "servers/shared_state.hpp"

namespace httplib {
class Server;
}

namespace pushbench {

// The thread-per-connection backend on cpp-httplib: a thread for each connection, held for as
// long as the connection is open (a waiting long poll, an SSE stream), up to --max-connections
// (or a pool of --threads). The same event log, publisher and router as the event-loop backend;
// no WebSocket (0.11.4 has none).
class HttplibServer {
 public:
  explicit HttplibServer(ServerOptions options);
  ~HttplibServer();

  boost::asio::ip::tcp::endpoint listen();  // throws boost::system::system_error
  void run();                               // until a stop signal

 private:
  void add_routes();
  void stop_after_streams(std::chrono::steady_clock::time_point deadline);
  void stop_listening();

  SharedState state_;
  std::unique_ptr<httplib::Server> http_;
  boost::asio::io_context ioc_;  // the publisher and the signals
  boost::asio::signal_set signals_;
  boost::asio::steady_timer stop_retry_;
  std::atomic<bool> listen_returned_{false};
  int listening_socket_ = -1;  // cpp-httplib's, seen when it sets the socket's options
  Publisher publisher_;
};

}  // namespace pushbench
