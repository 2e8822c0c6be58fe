#include "servers/beast/listener.hpp"

#include <boost/asio/post.hpp>

#include "servers/beast/http_session.hpp"
#include "servers/limits.hpp"

namespace pushbench {

Listener::Listener(const std::vector<std::shared_ptr<IoThread>>& threads, SharedState& state, SSL_CTX* tls)
    : threads_(threads),
      state_(state),
      tls_(tls),
      acceptor_(threads.front()->context()),
      retry_(acceptor_.get_executor()) {}

boost::asio::ip::tcp::endpoint Listener::open(const boost::asio::ip::tcp::endpoint& endpoint) {
  acceptor_.open(endpoint.protocol());
  acceptor_.set_option(boost::asio::socket_base::reuse_address(true));
  acceptor_.bind(endpoint);
  acceptor_.listen(boost::asio::socket_base::max_listen_connections);
  return acceptor_.local_endpoint();
}

void Listener::run() {
  boost::asio::post(acceptor_.get_executor(), [self = shared_from_this()] { self->accept_next(); });
}

void Listener::stop() {
  boost::asio::post(acceptor_.get_executor(), [self = shared_from_this()] {
    boost::system::error_code ignored;
    self->acceptor_.close(ignored);
    self->retry_.cancel();
  });
}

void Listener::accept_next() {
  IoThread& thread = *threads_[next_thread_++ % threads_.size()];
  acceptor_.async_accept(thread.context(),
                         [self = shared_from_this(), &thread](boost::system::error_code ec, tcp::socket socket) {
                           self->on_accept(ec, std::move(socket), thread);
                         });
}

void Listener::on_accept(boost::system::error_code ec, tcp::socket socket, IoThread& thread) {
  if (ec == boost::asio::error::operation_aborted || !acceptor_.is_open()) return;
  if (ec) {
    retry_.expires_after(limits::accept_retry);
    retry_.async_wait([self = shared_from_this()](boost::system::error_code wait_ec) {
      if (!wait_ec) self->accept_next();
    });
    return;
  }
  Stats& stats = state_.stats();
  boost::system::error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored);  // events are small and latency is what we measure
  if (stats.connections.load(std::memory_order_relaxed) >= state_.options().max_connections) {
    stats.connections_rejected.fetch_add(1, std::memory_order_relaxed);
    auto session = std::make_shared<HttpSession>(Link(std::move(socket), tls_), state_, ConnectionSlot{}, thread);
    boost::asio::post(session->executor(), [session] { session->refuse(503, "too many connections"); });
  } else {
    stats.connections_accepted.fetch_add(1, std::memory_order_relaxed);
    std::make_shared<HttpSession>(Link(std::move(socket), tls_), state_, ConnectionSlot{stats}, thread)->run();
  }
  accept_next();
}

}  // namespace pushbench
