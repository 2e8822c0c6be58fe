#pragma once
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <memory>

#include "servers/shared_state.hpp"

namespace pushbench {

// Accepts connections, each onto its own strand, and starts an HTTP session for it; beyond
// --max-connections a connection is answered 503 and closed.
class Listener : public std::enable_shared_from_this<Listener> {
 public:
  Listener(boost::asio::io_context& ioc, SharedState& state);

  // Binds and listens; throws boost::system::system_error when it cannot.
  boost::asio::ip::tcp::endpoint open(const boost::asio::ip::tcp::endpoint& endpoint);
  void run();
  void stop();

 private:
  void accept_next();
  void on_accept(boost::system::error_code ec, boost::asio::ip::tcp::socket socket);

  boost::asio::io_context& ioc_;
  SharedState& state_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer retry_;  // after an accept error such as EMFILE, instead of spinning
};

}  // namespace pushbench
