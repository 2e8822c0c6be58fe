#include "servers/reply.hpp"

#include <boost/beast/http/status.hpp>

#include "core/json.hpp"

namespace pushbench {

Reply Reply::text(unsigned status, std::string_view content_type, std::string body) {
  Reply reply;
  reply.status_ = status;
  reply.content_type_ = content_type;
  reply.body_ = std::move(body);
  return reply;
}

Reply Reply::error(unsigned status, std::string_view message) { return json(status, json_error(message)); }

Reply Reply::events(std::vector<EventPtr> events, std::uint64_t next) {
  Reply reply = json(200, std::string(poll_body_head));
  reply.events_ = std::move(events);
  reply.tail_ = poll_body_tail(next);
  return reply;
}

Reply& Reply::header(std::string_view name, std::string_view value) {
  extra_headers_.append(name).append(": ").append(value).append("\r\n");
  return *this;
}

std::vector<boost::asio::const_buffer> Reply::buffers(bool keep_alive) {
  static constexpr std::string_view comma = ",";
  std::size_t length = body_.size() + tail_.size() + (events_.empty() ? 0 : events_.size() - 1);
  for (const EventPtr& event : events_) length += event->json.size();

  head_ = "HTTP/1.1 " + std::to_string(status_) + " ";
  head_ += boost::beast::http::obsolete_reason(static_cast<boost::beast::http::status>(status_));
  head_ += "\r\nServer: pushbench\r\nContent-Type: " + content_type_;
  head_ += "\r\nContent-Length: " + std::to_string(length);
  head_ += "\r\nCache-Control: no-store\r\n";
  head_ += extra_headers_;
  head_ += keep_alive ? "Connection: keep-alive\r\n\r\n" : "Connection: close\r\n\r\n";

  std::vector<boost::asio::const_buffer> out;
  out.reserve(3 + 2 * events_.size());
  out.emplace_back(boost::asio::buffer(head_));
  out.emplace_back(boost::asio::buffer(body_));
  for (std::size_t i = 0; i < events_.size(); ++i) {
    if (i > 0) out.emplace_back(boost::asio::buffer(comma));
    out.emplace_back(boost::asio::buffer(events_[i]->json));
  }
  out.emplace_back(boost::asio::buffer(tail_));
  return out;
}

}  // namespace pushbench
