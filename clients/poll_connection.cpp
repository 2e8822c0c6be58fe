#include "clients/poll_connection.hpp"

#include "clients/limits.hpp"

namespace pushbench {

namespace http = boost::beast::http;

boost::beast::tcp_stream& PollConnection::new_stream() {
  on_new_connection();
  open_ = false;
  buffer_.clear();
  wire_.emplace(tap(), worker_.ioc());
  return wire_->next_layer();
}

void PollConnection::on_open() {
  open_ = true;
  fresh_ = true;
  send();
}

void PollConnection::prepare(std::string_view target, std::chrono::nanoseconds timeout, http::verb method,
                             std::string body) {
  request_.method(method);
  request_.target(target);
  request_.version(11);
  request_.set(http::field::host, host_header());
  request_.body() = std::move(body);
  request_.prepare_payload();
  timeout_ = timeout;
}

void PollConnection::poll(std::string_view target, std::chrono::nanoseconds timeout, http::verb method,
                          std::string body) {
  prepare(target, timeout, method, std::move(body));
  if (!open_) return start();  // connects, then on_open() sends
  send();
}

void PollConnection::send() {
  if (worker_.counting()) ++worker_.metrics().http_requests;
  wire_->next_layer().expires_after(timeout_);
  http::async_write(*wire_, request_, [self = shared_from_this(), this](boost::system::error_code ec, std::size_t) {
    if (ec) return on_response(ec);
    parser_.emplace();
    parser_->body_limit(client_limits::max_answer_bytes);
    http::async_read(*wire_, buffer_, *parser_,
                     [self, this](boost::system::error_code read_ec, std::size_t) { on_response(read_ec); });
  });
}

void PollConnection::on_response(boost::system::error_code ec) {
  if (ec) {
    open_ = false;
    return fail(classify(ec));
  }
  const auto& response = parser_->get();
  if (!response.keep_alive()) open_ = false;
  if (response.result() != http::status::ok) {
    open_ = false;
    return fail(ErrorKind::http_status);
  }
  on_answer(response.body());
  fresh_ = false;
}

bool PollConnection::read_spec_answer(std::string_view body) {
  std::uint64_t next = 0;
  if (!read_poll_body(body, next, [this](const EventFields& fields) { on_event(fields); })) {
    open_ = false;
    fail(ErrorKind::protocol);
    return false;
  }
  cursor_ = next;
  if (fresh_) established();  // a connection can receive events once its first poll is answered
  return true;
}

}  // namespace pushbench
