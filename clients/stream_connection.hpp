#pragma once
#include <array>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <optional>
#include <string>

#include "clients/connection.hpp"
#include "clients/limits.hpp"

namespace pushbench {

// What the streaming techniques share: one GET, a 200 of the expected content type, then an
// endless body handed to the technique chunk by chunk as it arrives. When the stream ends the
// connection is made again after reconnect_delay(), with the technique's resume target.
class StreamConnection : public Connection {
 protected:
  using Connection::Connection;

  virtual std::string target() const = 0;             // the GET's target, with the resume cursor
  virtual std::string_view content_type() const = 0;  // what the answer must be
  virtual void add_headers(boost::beast::http::request<boost::beast::http::empty_body>&) const {}
  virtual void on_stream_start() {}  // a new stream: drop a partial line
  virtual void on_body(std::string_view chunk) = 0;
  virtual std::chrono::nanoseconds reconnect_delay() const { return worker_.options().reconnect_delay; }

 private:
  Wire& new_stream() override;
  void on_open() override;
  void on_header(boost::system::error_code ec);
  void read_body();      // through the parser: chunked, or of a known length
  void read_raw_body();  // until the connection closes

  std::optional<Wire> wire_;
  boost::beast::flat_buffer buffer_;
  boost::beast::http::request<boost::beast::http::empty_body> request_;
  std::optional<boost::beast::http::response_parser<boost::beast::http::buffer_body>> parser_;
  std::array<char, client_limits::stream_read_chunk> chunk_;
};

}  // namespace pushbench
