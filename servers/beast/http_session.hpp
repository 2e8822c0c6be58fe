#pragma once
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "core/deadline.hpp"
#include "servers/beast/link.hpp"
#include "servers/reply.hpp"
#include "servers/shared_state.hpp"

namespace pushbench {

namespace beast = boost::beast;
namespace http = beast::http;
using tcp = boost::asio::ip::tcp;
using Request = http::request<http::string_body>;

class IoThread;

// What a technique takes when it turns the connection into a stream (SSE, WebSocket).
struct Handover {
  Link link;  // non-blocking, TLS handshake done
  ConnectionSlot slot;
  IoThread& thread;  // the thread the connection lives on
};

// One HTTP/1.1 connection: reads requests within the header, body and idle limits, hands each to
// the router and writes the Reply, one at a time, keep-alive. A technique may answer later (long
// poll) or take the connection over (SSE, WebSocket). It writes without waiting when the socket
// has room, as a stream does; one timer per connection keeps the idle deadline, moved by each
// request without being re-armed.
class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(Link link, SharedState& state, ConnectionSlot slot, IoThread& thread);

  void run();
  void send(Reply reply);       // on the session's executor; reads the next request when keep-alive
  void send_last(Reply reply);  // then close: the server is stopping, or the request was bad
  void refuse(unsigned status, std::string_view message) { send_last(Reply::error(status, message)); }
  Handover take_connection();
  void close();
  // While an answer is held: calls `on_gone` if the client closes or resets the connection (a
  // pipelined request is left for later); cancelled by stop_watching().
  void watch_for_hangup(std::function<void()> on_gone);
  void stop_watching();

  SharedState& state() { return state_; }
  tcp::socket::executor_type executor() { return link_.socket().get_executor(); }

 private:
  void shake_hands();
  void read_request();
  void parse_buffered();
  void receive();
  void on_request();
  void refuse_malformed(beast::error_code ec);
  void written(bool keep_alive, std::size_t bytes, std::size_t writes);
  void linger();
  void drain();
  void expire_after(std::chrono::nanoseconds timeout);

  Link link_;
  Deadline deadline_;  // none while a request is being answered
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  SharedState& state_;
  ConnectionSlot slot_;
  IoThread& thread_;
  std::optional<Reply> reply_;  // the response being written
  std::vector<boost::asio::const_buffer> reply_buffers_;
  bool keep_alive_ = false;
};

}  // namespace pushbench
