#pragma once
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <optional>
#include <string>

#include "clients/connection.hpp"

namespace pushbench {

// What short and long polling share: GET a poll URL on a keep-alive connection, read the
// {"events":[...],"next":M} answer, account for its events and keep M as the cursor.
class PollConnection : public Connection {
 protected:
  using Connection::Connection;

  // The request that the connection sends once it is open (from the constructor).
  void prepare(std::string_view target, std::chrono::nanoseconds timeout);
  // Sends GET `target` (opening a connection first when there is none) and reads the answer
  // within `timeout`; then calls on_answer().
  void poll(std::string_view target, std::chrono::nanoseconds timeout);
  virtual void on_answer() = 0;

  std::optional<std::uint64_t> cursor_;  // `next` of the last answer

 private:
  boost::beast::tcp_stream& new_stream() override;
  void on_open() override;
  void send();
  void on_response(boost::system::error_code ec);

  std::optional<WireStream> wire_;
  bool open_ = false;
  bool fresh_ = false;  // opened, and no poll answered on it yet
  boost::beast::flat_buffer buffer_;
  boost::beast::http::request<boost::beast::http::empty_body> request_;
  std::optional<boost::beast::http::response_parser<boost::beast::http::string_body>> parser_;
  std::chrono::nanoseconds timeout_{};
};

}  // namespace pushbench
