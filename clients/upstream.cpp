#include "clients/upstream.hpp"

#include "clients/limits.hpp"
#include "clients/worker.hpp"

namespace pushbench {

namespace http = boost::beast::http;

Upstream::Upstream(Worker& worker, WireTap tap, std::string host, std::string target)
    : worker_(worker), tap_(tap), host_(std::move(host)), target_(std::move(target)) {}

void Upstream::send(std::string body) {
  if (closed_) return;
  pending_ += "POST " + target_ + " HTTP/1.1\r\nHost: " + host_ +
              "\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: " + std::to_string(body.size()) +
              "\r\n\r\n" + body;
  ++pending_requests_;
  if (!connected_) return connect();
  if (!writing_) write_next();
}

void Upstream::connect() {
  if (connecting_) return;
  connecting_ = true;
  ++generation_;
  stream_.emplace(tap_, worker_.ioc(), worker_.tls());
  stream_->prepare_tls(worker_.options().host, nullptr);
  stream_->tcp().expires_after(worker_.options().timeout);
  stream_->tcp().async_connect(worker_.endpoint(), [self = shared_from_this(), this](boost::system::error_code ec) {
    if (ec) return connected(ec);
    boost::system::error_code ignored;
    stream_->socket().set_option(boost::asio::ip::tcp::no_delay(true), ignored);
    stream_->async_handshake([self, this](boost::system::error_code handshake_ec) { connected(handshake_ec); });
  });
}

void Upstream::connected(boost::system::error_code ec) {
  connecting_ = false;
  if (ec || closed_) {  // what waited for this connection is lost; the next message tries again
    lose(pending_requests_);
    pending_.clear();
    pending_requests_ = 0;
    return fail();
  }
  stream_->tcp().expires_never();
  connected_ = true;
  buffer_.clear();
  write_next();
}

void Upstream::write_next() {
  if (pending_.empty() || writing_) return;
  writing_ = true;
  writing_bytes_.swap(pending_);
  pending_.clear();
  const std::size_t requests = pending_requests_;
  pending_requests_ = 0;
  if (worker_.counting()) {
    worker_.metrics().publish_requests += requests;
    worker_.metrics().upstream_bytes += writing_bytes_.size();
  }
  boost::asio::async_write(
      *stream_, boost::asio::buffer(writing_bytes_),
      [self = shared_from_this(), this, requests, generation = generation_](boost::system::error_code ec, std::size_t) {
        if (generation != generation_) return lose(requests);  // its connection failed meanwhile
        writing_ = false;
        unanswered_ += requests;
        if (ec) return fail();
        read_answers();
        write_next();
      });
}

void Upstream::read_answers() {
  if (reading_ || unanswered_ == 0) return;
  reading_ = true;
  parser_.emplace();
  parser_->body_limit(client_limits::max_answer_bytes);
  http::async_read(
      *stream_, buffer_, *parser_,
      [self = shared_from_this(), this, generation = generation_](boost::system::error_code ec, std::size_t) {
        if (generation != generation_) return;
        reading_ = false;
        if (ec) return fail();
        --unanswered_;
        if (parser_->get().result() != http::status::ok && worker_.counting()) ++worker_.metrics().messages_refused;
        if (!parser_->get().keep_alive()) return fail();
        read_answers();
      });
}

// The connection is gone with what it had in flight; the next message opens another.
void Upstream::fail() {
  lose(unanswered_);
  unanswered_ = 0;
  connected_ = false;
  writing_ = reading_ = false;
  ++generation_;
  if (stream_) {
    boost::system::error_code ignored;
    stream_->socket().close(ignored);
  }
}

void Upstream::lose(std::size_t requests) {
  if (worker_.counting()) worker_.metrics().messages_lost += requests;
}

void Upstream::close() {
  closed_ = true;
  if (stream_) {
    boost::system::error_code ignored;
    stream_->socket().close(ignored);
  }
}

}  // namespace pushbench
