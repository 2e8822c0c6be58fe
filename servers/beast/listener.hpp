#pragma once
#include <openssl/ssl.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <memory>
#include <vector>

#include "servers/beast/io_thread.hpp"

#include "servers/shared_state.hpp"

namespace pushbench {

// Accepts connections onto the io threads in turn and starts an HTTP session for each; beyond
// --max-connections a connection is answered 503 and closed.
class Listener : public std::enable_shared_from_this<Listener> {
 public:
  // Accepts on the first thread.
  // `tls`: the context of every connection's TLS, or null for plain TCP.
  Listener(const std::vector<std::shared_ptr<IoThread>>& threads, SharedState& state, SSL_CTX* tls);

  // Binds and listens; throws boost::system::system_error when it cannot.
  boost::asio::ip::tcp::endpoint open(const boost::asio::ip::tcp::endpoint& endpoint);
  void run();
  void stop();

 private:
  void accept_next();
  void on_accept(boost::system::error_code ec, boost::asio::ip::tcp::socket socket, IoThread& thread);

  const std::vector<std::shared_ptr<IoThread>>& threads_;
  std::size_t next_thread_ = 0;
  SharedState& state_;
  SSL_CTX* tls_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer retry_;  // after an accept error such as EMFILE, instead of spinning
};

}  // namespace pushbench
