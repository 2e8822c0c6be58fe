#pragma once
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <functional>
#include <memory>
#include <optional>

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
  beast::tcp_stream stream;
  ConnectionSlot slot;
  IoThread& thread;  // the thread the connection lives on
};

// One HTTP/1.1 connection: reads requests within the header, body and idle limits, hands each to
// the router and writes the Reply, one at a time, keep-alive. A technique may answer later (long
// poll) or take the connection over (SSE, WebSocket).
class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(tcp::socket socket, SharedState& state, ConnectionSlot slot, IoThread& thread);

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
  beast::tcp_stream::executor_type executor() { return stream_.get_executor(); }

 private:
  void do_read();
  void on_read(beast::error_code ec);
  void on_write(bool keep_alive, beast::error_code ec, std::size_t bytes);
  void linger();
  void drain();

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  SharedState& state_;
  ConnectionSlot slot_;
  IoThread& thread_;
  std::optional<Reply> reply_;  // the response being written
  bool keep_alive_ = false;
};

}  // namespace pushbench
