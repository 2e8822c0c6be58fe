// Server-Sent Events: one GET, then an endless text/event-stream body parsed as it arrives. When
// the stream ends it reconnects after the server's retry delay, sending Last-Event-ID, as
// EventSource does.
#include <array>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include "clients/connection.hpp"
#include "clients/techniques/technique.hpp"
#include "core/sse_parser.hpp"

namespace pushbench {
namespace {

namespace http = boost::beast::http;

class SseClient final : public Connection {
 public:
  using Connection::Connection;

 private:
  boost::beast::tcp_stream& new_stream() override {
    wire_.emplace(tap(), worker_.ioc());
    buffer_.clear();
    parser_.emplace();
    parser_->body_limit(boost::none);  // the stream has no end
    return wire_->next_layer();
  }

  void on_open() override {
    request_.method(http::verb::get);
    request_.target(endpoint_target());
    request_.version(11);
    request_.set(http::field::host, host_header());
    request_.set(http::field::accept, "text/event-stream");
    request_.set(http::field::cache_control, "no-cache");
    if (!events_.last_event_id().empty()) request_.set("Last-Event-ID", events_.last_event_id());
    if (worker_.counting()) ++worker_.metrics().http_requests;
    http::async_write(*wire_, request_, [self = shared_from_this(), this](boost::system::error_code ec, std::size_t) {
      if (ec) return fail(classify(ec));
      http::async_read_header(*wire_, buffer_, *parser_,
                              [self, this](boost::system::error_code read_ec, std::size_t) { on_header(read_ec); });
    });
  }

  void on_header(boost::system::error_code ec) {
    if (ec) return fail(classify(ec));
    const auto& response = parser_->get();
    if (response.result() != http::status::ok) return fail(ErrorKind::http_status);
    if (!response[http::field::content_type].starts_with("text/event-stream")) return fail(ErrorKind::protocol);
    events_.reset_stream();
    established();
    wire_->next_layer().expires_never();  // a stream may be quiet for as long as nothing is published
    read_body();
  }

  void read_body() {
    parser_->get().body().data = chunk_.data();
    parser_->get().body().size = chunk_.size();
    http::async_read_some(*wire_, buffer_, *parser_, [self = shared_from_this(), this](boost::system::error_code ec, std::size_t) {
      if (ec == http::error::need_buffer) ec = {};
      const std::size_t n = chunk_.size() - parser_->get().body().size;
      events_.feed(std::string_view(chunk_.data(), n), [this](const SseParser::Event& event) {
        EventFields fields;
        if (read_event_fields(event.data, fields)) on_event(fields);
        else count_error(ErrorKind::protocol);
      });
      if (ec || parser_->is_done()) return fail(ErrorKind::closed, reconnect_delay());
      read_body();
    });
  }

  std::chrono::nanoseconds reconnect_delay() const {
    if (const auto retry = events_.retry_ms()) return std::chrono::milliseconds(*retry);
    return worker_.options().reconnect_delay;
  }

  std::optional<WireStream> wire_;
  boost::beast::flat_buffer buffer_;
  http::request<http::empty_body> request_;
  std::optional<http::response_parser<http::buffer_body>> parser_;
  std::array<char, 4096> chunk_;
  SseParser events_;
};

}  // namespace

std::shared_ptr<Connection> connect_sse(Worker& worker, std::size_t index) {
  return std::make_shared<SseClient>(worker, index);
}

}  // namespace pushbench
