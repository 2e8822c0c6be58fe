#pragma once
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>

#include "core/histogram.hpp"

namespace pushbench {

// What the publisher counts, over all its connections: summed in one place, written once.
struct PublishCounts {
  std::uint64_t written = 0;   // requests handed to the kernel
  std::uint64_t answered = 0;  // 2xx answers
  std::uint64_t refused = 0;   // other answers
  std::uint64_t lost = 0;      // due or in flight when their connection failed, or unanswered at the end
  std::uint64_t connection_failures = 0;
  Histogram lateness;  // from each request's due time to when it was written
};

// One keep-alive connection to the publish URL. Requests are pipelined: each is written when
// due, behind the write in flight, never waiting for the answer before it; answers are read in
// order and counted by status. A failed connection loses what it held (counted) and reconnects.
class PublishConnection : public std::enable_shared_from_this<PublishConnection> {
 public:
  PublishConnection(boost::asio::io_context& ioc, boost::asio::ip::tcp::endpoint endpoint, PublishCounts& counts);

  void start();
  void send(std::string request, std::int64_t due_ns);
  void close();
  std::uint64_t unanswered() const { return due_.size() + in_write_ + unanswered_; }

 private:
  void connected(boost::system::error_code ec);
  void write_next();
  void written(boost::system::error_code ec, const std::deque<std::int64_t>& due, std::uint64_t generation);
  void read_answers();
  static constexpr std::chrono::milliseconds reconnect_delay{100};  // after a connection failed
  // The server closing after an answer is not a failure: reconnect at once (delay 0).
  void fail(std::chrono::milliseconds delay = reconnect_delay);

  boost::asio::ip::tcp::socket socket_;
  boost::asio::steady_timer retry_timer_;
  boost::asio::ip::tcp::endpoint endpoint_;
  PublishCounts& counts_;
  bool connected_ = false;
  bool writing_ = false;
  bool reading_ = false;
  bool closed_ = false;
  std::string pending_;           // due requests not yet written
  std::deque<std::int64_t> due_;  // their due times, in order
  std::string writing_bytes_;
  std::uint64_t in_write_ = 0;    // in the write in flight
  std::uint64_t unanswered_ = 0;  // written, waiting for an answer
  std::uint64_t generation_ = 0;  // handlers of a failed connection find it changed
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::response_parser<boost::beast::http::string_body>> parser_;
};

}  // namespace pushbench
