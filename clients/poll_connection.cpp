#include "clients/poll_connection.hpp"

#include "clients/limits.hpp"
#include "core/parse_buffered.hpp"
#include "core/write_at_once.hpp"

namespace pushbench {

namespace http = boost::beast::http;

namespace {
constexpr std::size_t read_chunk = 4096;
}

Wire& PollConnection::new_stream() {
  on_new_connection();
  open_ = false;
  buffer_.clear();
  if (!deadline_) deadline_.emplace(worker_.ioc().get_executor());  // one for the connection's life
  deadline_->cancel();
  return emplace_wire(wire_);
}

void PollConnection::on_open() {
  wire_->tcp().expires_never();  // each poll keeps its own deadline (over TLS, reads go through this stream)
  open_ = true;
  fresh_ = true;
  boost::system::error_code ignored;
  socket().non_blocking(true, ignored);
  send();
}

void PollConnection::prepare(std::string_view target, std::chrono::nanoseconds timeout, http::verb method,
                             std::string_view body) {
  if (host_.empty()) host_ = host_header();
  request_.clear();
  request_.append(http::to_string(method)).append(" ").append(target).append(" HTTP/1.1\r\nHost: ").append(host_);
  if (!body.empty() || method != http::verb::get) request_.append("\r\nContent-Length: " + std::to_string(body.size()));
  if (!worker_.options().keep_alive) request_.append("\r\nConnection: close");
  request_.append(validators_);
  request_.append("\r\n\r\n").append(body);
  timeout_ = timeout;
}

void PollConnection::poll(std::string_view target, std::chrono::nanoseconds timeout, http::verb method,
                          std::string_view body) {
  prepare(target, timeout, method, body);
  if (!open_) return start();  // connects, then on_open() sends
  send();
}

void PollConnection::send() {
  if (worker_.counting()) ++worker_.metrics().http_requests;
  timed_out_ = false;
  deadline_->set(timeout_, [self = shared_from_this(), this] {
    timed_out_ = true;
    boost::system::error_code ignored;
    socket().close(ignored);  // what is in flight, or is started next, fails at once
  });
  request_buffer_ = boost::asio::const_buffer(request_.data(), request_.size());
  const Buffers request(&request_buffer_, 1);
  const FirstWrite first = wire_->write_now(request);
  if (first.error) return on_response(first.error);
  if (first.complete) return read_answer();
  wire_->write_rest(request, first.sent, [self = shared_from_this(), this](boost::system::error_code ec, std::size_t) {
    if (ec) return on_response(ec);
    read_answer();
  });
}

void PollConnection::read_answer() {
  parser_.emplace();
  parser_->body_limit(client_limits::max_answer_bytes);
  parser_->eager(true);
  parse_buffered();
}

void PollConnection::parse_buffered() {
  if (const boost::system::error_code ec = pushbench::parse_buffered(*parser_, buffer_)) return on_response(ec);
  if (parser_->is_done()) return on_response({});
  const auto space = buffer_.prepare(read_chunk);
  wire_->read_some_now(space, [self = shared_from_this(), this](boost::system::error_code ec, std::size_t n) {
    if (ec == boost::asio::error::eof && parser_->got_some()) {
      parser_->put_eof(ec);  // an answer that ends with its connection
      if (!ec) return on_response({});
    }
    if (ec) return on_response(ec);
    buffer_.commit(n);
    parse_buffered();
  });
}

void PollConnection::on_response(boost::system::error_code ec) {
  deadline_->clear();
  if (timed_out_) ec = boost::beast::error::timeout;
  if (ec) {
    open_ = false;
    return fail(classify(ec));
  }
  if (!parser_->keep_alive()) open_ = false;
  const bool not_modified = parser_->status() == 304 && worker_.options().http_cache_cursor;
  if (parser_->status() != 200 && !not_modified) {
    open_ = false;
    return fail(ErrorKind::http_status);
  }
  on_answer(parser_->body());
  fresh_ = false;
}

bool PollConnection::read_answer(std::string_view body) {
  if (!(worker_.options().http_cache_cursor ? read_cache_answer(body) : read_spec_answer(body))) {
    open_ = false;
    fail(ErrorKind::protocol);
    return false;
  }
  if (fresh_) established();  // a connection can receive events once its first poll is answered
  return true;
}

std::string PollConnection::after_cursor(std::string_view spec_query) const {
  if (worker_.options().http_cache_cursor) return endpoint_target();
  std::string query = "?since=" + std::to_string(cursor_.value_or(0));
  if (!spec_query.empty()) query.append("&").append(spec_query);
  return endpoint_target(query);
}

bool PollConnection::read_spec_answer(std::string_view body) {
  std::uint64_t next = 0;
  if (!read_poll_body(body, next, [this](const EventFields& fields) { on_event(fields); })) return false;
  cursor_ = next;
  return true;
}

// Each answer's Last-Modified and Etag name the last event it holds (or the newest, in a 304);
// its body is that event, or several, one per line (nchan's raw multipart).
bool PollConnection::read_cache_answer(std::string_view body) {
  caught_up_ = parser_->status() == 304;
  if (caught_up_ && parser_->last_modified().empty()) return true;  // nothing published yet: no cursor to keep
  if (parser_->last_modified().empty() || parser_->etag().empty()) return false;
  validators_ = "\r\nIf-Modified-Since: " + parser_->last_modified() + "\r\nIf-None-Match: " + parser_->etag();
  while (!body.empty()) {
    const std::size_t end = std::min(body.find('\n'), body.size());
    if (end > 0) {
      EventFields fields;
      if (!read_event_fields(body.substr(0, end), fields)) return false;
      on_event(fields);
    }
    body.remove_prefix(std::min(end + 1, body.size()));
  }
  return true;
}

}  // namespace pushbench
