#include "clients/stream_connection.hpp"

namespace pushbench {

namespace http = boost::beast::http;

Wire& StreamConnection::new_stream() {
  emplace_wire(wire_);
  buffer_.clear();
  parser_.emplace();
  parser_->body_limit(boost::none);  // the stream has no end
  return *wire_;
}

void StreamConnection::on_open() {
  request_ = {};
  request_.method(http::verb::get);
  request_.target(target());
  request_.version(11);
  request_.set(http::field::host, host_header());
  request_.set(http::field::accept, content_type());
  add_headers(request_);
  if (worker_.counting()) ++worker_.metrics().http_requests;
  http::async_write(*wire_, request_, [self = shared_from_this(), this](boost::system::error_code ec, std::size_t) {
    if (ec) return fail(classify(ec));
    http::async_read_header(*wire_, buffer_, *parser_,
                            [self, this](boost::system::error_code read_ec, std::size_t) { on_header(read_ec); });
  });
}

void StreamConnection::on_header(boost::system::error_code ec) {
  if (ec) return fail(classify(ec));
  const auto& response = parser_->get();
  if (response.result() != http::status::ok) return fail(ErrorKind::http_status);
  if (!response[http::field::content_type].starts_with(content_type())) return fail(ErrorKind::protocol);
  on_stream_start();
  established();
  wire_->tcp().expires_never();  // a stream may be quiet for as long as nothing is published
  if (parser_->chunked() || parser_->content_length()) return read_body();
  // A body that runs until the connection closes has no framing to undo: what the socket gives
  // is the body, read straight from it (after what came with the head).
  const auto early = buffer_.data();
  on_body(std::string_view(static_cast<const char*>(early.data()), early.size()));
  buffer_.consume(buffer_.size());
  read_raw_body();
}

void StreamConnection::read_raw_body() {
  const auto space = boost::asio::buffer(chunk_);
  wire_->read_some_now(space, [self = shared_from_this(), this](boost::system::error_code ec, std::size_t n) {
    if (n > 0) on_body(std::string_view(chunk_.data(), n));
    if (ec) return fail(ErrorKind::closed, reconnect_delay());
    read_raw_body();
  });
}

void StreamConnection::read_body() {
  parser_->get().body().data = chunk_.data();
  parser_->get().body().size = chunk_.size();
  http::async_read_some(*wire_, buffer_, *parser_,
                        [self = shared_from_this(), this](boost::system::error_code ec, std::size_t) {
                          if (ec == http::error::need_buffer) ec = {};
                          on_body(std::string_view(chunk_.data(), chunk_.size() - parser_->get().body().size));
                          if (ec || parser_->is_done()) return fail(ErrorKind::closed, reconnect_delay());
                          read_body();
                        });
}

}  // namespace pushbench
