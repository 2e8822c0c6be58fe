#include "bench/publisher/publish_connection.hpp"

#include <boost/asio/write.hpp>

#include "core/clock.hpp"

namespace pushbench {

namespace http = boost::beast::http;

namespace {
constexpr std::size_t max_answer_bytes = 1 << 20;
constexpr std::size_t max_pending_bytes = 64 << 20;  // a server that stops reading cannot take all memory
}  // namespace

PublishConnection::PublishConnection(boost::asio::io_context& ioc, boost::asio::ip::tcp::endpoint endpoint,
                                     PublishCounts& counts)
    : socket_(ioc), retry_timer_(ioc), endpoint_(endpoint), counts_(counts) {}

void PublishConnection::start() {
  ++generation_;
  socket_.async_connect(endpoint_, [self = shared_from_this(), this](boost::system::error_code ec) { connected(ec); });
}

void PublishConnection::connected(boost::system::error_code ec) {
  if (closed_) return;
  if (ec) return fail();
  boost::system::error_code ignored;
  socket_.set_option(boost::asio::ip::tcp::no_delay(true), ignored);
  connected_ = true;
  buffer_.clear();
  write_next();
}

void PublishConnection::send(std::string request, std::int64_t due_ns) {
  if (closed_) return;
  if (pending_.size() + request.size() > max_pending_bytes) {
    ++counts_.lost;
    return;
  }
  pending_ += request;
  due_.push_back(due_ns);
  if (connected_) write_next();
}

void PublishConnection::write_next() {
  if (writing_ || pending_.empty()) return;
  writing_ = true;
  writing_bytes_.swap(pending_);
  pending_.clear();
  std::deque<std::int64_t> due;
  due.swap(due_);
  in_write_ = due.size();
  boost::asio::async_write(socket_, boost::asio::buffer(writing_bytes_),
                           [self = shared_from_this(), this, due = std::move(due), generation = generation_](
                               boost::system::error_code ec, std::size_t) { written(ec, due, generation); });
}

void PublishConnection::written(boost::system::error_code ec, const std::deque<std::int64_t>& due,
                                std::uint64_t generation) {
  in_write_ = 0;
  if (closed_) return;                    // the publisher counted what was left when it closed
  if (generation != generation_ || ec) {  // failed, or its connection did meanwhile
    counts_.lost += due.size();
    if (generation == generation_) fail();
    return;
  }
  writing_ = false;
  const std::int64_t now = monotonic_ns();
  for (const std::int64_t due_ns : due) counts_.lateness.record(now - due_ns);
  counts_.written += due.size();
  unanswered_ += due.size();
  read_answers();
  write_next();
}

void PublishConnection::read_answers() {
  if (reading_ || unanswered_ == 0) return;
  reading_ = true;
  parser_.emplace();
  parser_->body_limit(max_answer_bytes);
  http::async_read(
      socket_, buffer_, *parser_,
      [self = shared_from_this(), this, generation = generation_](boost::system::error_code ec, std::size_t) {
        if (generation != generation_ || closed_) return;
        reading_ = false;
        if (ec) return fail();
        --unanswered_;
        const unsigned status = parser_->get().result_int();
        ++(status / 100 == 2 ? counts_.answered : counts_.refused);
        if (!parser_->get().keep_alive()) return fail(std::chrono::milliseconds(0));
        read_answers();
      });
}

// The connection is gone with what it held; a new one, after `delay`, takes the next requests.
void PublishConnection::fail(std::chrono::milliseconds delay) {
  if (closed_) return;
  ++generation_;  // the write or read it cancels must not fail it again
  counts_.lost += unanswered_ + due_.size();
  unanswered_ = 0;
  due_.clear();
  pending_.clear();
  connected_ = writing_ = reading_ = false;
  boost::system::error_code ignored;
  socket_.close(ignored);
  ++counts_.connection_failures;
  retry_timer_.expires_after(delay);
  retry_timer_.async_wait([self = shared_from_this(), this](boost::system::error_code ec) {
    if (!ec && !closed_) start();
  });
}

void PublishConnection::close() {
  closed_ = true;
  retry_timer_.cancel();
  boost::system::error_code ignored;
  socket_.close(ignored);
}

}  // namespace pushbench
