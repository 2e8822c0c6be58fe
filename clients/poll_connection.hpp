#pragma once
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <optional>
#include <string>

#include "clients/answer_parser.hpp"
#include "clients/connection.hpp"
#include "core/deadline.hpp"

namespace pushbench {

// What the polling techniques share: HTTP requests, one at a time, on a keep-alive connection
// (reopened when the server closes it), each answer handed to the technique. A request is
// serialised once into bytes and written at once when the socket has room; the answer is read
// with Asio's reads and a parser that keeps only status and body; one lazily moved deadline
// bounds each poll.
class PollConnection : public Connection {
 protected:
  using Connection::Connection;

  // The request that the connection sends once it is open (from the constructor).
  void prepare(std::string_view target, std::chrono::nanoseconds timeout,
               boost::beast::http::verb method = boost::beast::http::verb::get, std::string_view body = {});
  // Sends the request (opening a connection first when there is none) and reads the answer
  // within `timeout`; a 200 goes to on_answer().
  void poll(std::string_view target, std::chrono::nanoseconds timeout,
            boost::beast::http::verb method = boost::beast::http::verb::get, std::string_view body = {});
  virtual void on_answer(std::string_view body) = 0;
  // A new connection is about to be opened (the first, or after a failure).
  virtual void on_new_connection() {}

  // Reads an answer in the cursor's dialect (--poll-cursor), accounts for its events and keeps
  // the cursor; false when the answer is malformed (counted, and the connection dropped).
  bool read_answer(std::string_view body);
  // The endpoint's target asking for what follows the cursor: ?since=N then `spec_query`'s
  // parameters (the SPEC's dialect), or the endpoint alone, the cursor going in headers.
  std::string after_cursor(std::string_view spec_query = {}) const;
  // http-cache: the last answer was a 304 (nothing newer); nchan answers one event per poll.
  bool caught_up() const { return caught_up_; }

 private:
  Wire& new_stream() override;
  void on_open() override;
  void send();
  void read_answer();
  void parse_buffered();
  void on_response(boost::system::error_code ec);
  boost::asio::ip::tcp::socket& socket() { return wire_->socket(); }
  bool read_spec_answer(std::string_view body);
  bool read_cache_answer(std::string_view body);

  std::optional<Wire> wire_;
  std::optional<Deadline> deadline_;
  bool open_ = false;
  bool fresh_ = false;
  bool timed_out_ = false;
  std::string host_;
  std::string request_;                       // the request's bytes
  boost::asio::const_buffer request_buffer_;  // the write's view of them, alive while it lasts
  boost::beast::flat_buffer buffer_;
  std::optional<AnswerParser> parser_;
  std::chrono::nanoseconds timeout_{};
  std::optional<std::uint64_t> cursor_;  // spec: `next` of the last answer
  std::string validators_;               // http-cache: the header lines that send the cursor back
  bool caught_up_ = true;
};

}  // namespace pushbench
