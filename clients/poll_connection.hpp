#pragma once
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <optional>
#include <string>

#include "clients/connection.hpp"

namespace pushbench {

// What the polling techniques share: HTTP requests, one at a time, on a keep-alive connection
// (reopened when the server closes it), each answer handed to the technique.
class PollConnection : public Connection {
 protected:
  using Connection::Connection;

  // The request that the connection sends once it is open (from the constructor).
  void prepare(std::string_view target, std::chrono::nanoseconds timeout,
               boost::beast::http::verb method = boost::beast::http::verb::get, std::string body = {});
  // Sends the request (opening a connection first when there is none) and reads the answer
  // within `timeout`; a 200 goes to on_answer().
  void poll(std::string_view target, std::chrono::nanoseconds timeout,
            boost::beast::http::verb method = boost::beast::http::verb::get, std::string body = {});
  virtual void on_answer(std::string_view body) = 0;
  // A new connection is about to be opened (the first, or after a failure).
  virtual void on_new_connection() {}

  // For the SPEC's polls: reads {"events":[...],"next":M}, accounts for its events, keeps M as
  // the cursor; false when the body is not of that shape.
  bool read_spec_answer(std::string_view body);

  std::optional<std::uint64_t> cursor_;  // `next` of the last answer

 private:
  boost::beast::tcp_stream& new_stream() override;
  void on_open() override;
  void send();
  void on_response(boost::system::error_code ec);

  std::optional<WireStream> wire_;
  bool open_ = false;
  bool fresh_ = false;
  boost::beast::flat_buffer buffer_;
  boost::beast::http::request<boost::beast::http::string_body> request_;
  std::optional<boost::beast::http::response_parser<boost::beast::http::string_body>> parser_;
  std::chrono::nanoseconds timeout_{};
};

}  // namespace pushbench
