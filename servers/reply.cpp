#include "servers/reply.hpp"

#include <boost/beast/http/status.hpp>

#include "core/json.hpp"

namespace pushbench {
namespace {

constexpr std::string_view event_separator = ",";

// Status line and the headers every answer of ours carries; the caller ends the head.
std::string head_start(unsigned status, std::string_view content_type) {
  std::string head;
  head.reserve(256);  // the whole head, in one allocation
  head.append("HTTP/1.1 ").append(std::to_string(status)).append(" ");
  head += boost::beast::http::obsolete_reason(static_cast<boost::beast::http::status>(status));
  head += "\r\nServer: pushbench\r\nContent-Type: ";
  head += content_type;
  head += "\r\nCache-Control: no-store\r\n";
  return head;
}

}  // namespace

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
  headers_.emplace_back(name, value);
  return *this;
}

std::size_t Reply::body_length() const {
  std::size_t length = body_.size() + tail_.size() + (events_.empty() ? 0 : events_.size() - 1);
  for (const EventPtr& event : events_) length += event->json.size();
  return length;
}

std::string Reply::body() const {
  std::string out;
  out.reserve(body_length());
  out += body_;
  for (std::size_t i = 0; i < events_.size(); ++i) {
    if (i > 0) out += event_separator;
    out += events_[i]->json;
  }
  return out += tail_;
}

void Reply::buffers(bool keep_alive, std::vector<boost::asio::const_buffer>& out) {
  head_ = head_start(status_, content_type_);
  head_.append("Content-Length: ").append(std::to_string(body_length())).append("\r\n");
  for (const auto& [name, value] : headers_) head_.append(name).append(": ").append(value).append("\r\n");
  head_ += keep_alive ? "Connection: keep-alive\r\n\r\n" : "Connection: close\r\n\r\n";

  out.clear();
  out.emplace_back(boost::asio::buffer(head_));
  out.emplace_back(boost::asio::buffer(body_));
  for (std::size_t i = 0; i < events_.size(); ++i) {
    if (i > 0) out.emplace_back(boost::asio::buffer(event_separator));
    out.emplace_back(boost::asio::buffer(events_[i]->json));
  }
  out.emplace_back(boost::asio::buffer(tail_));
}

std::string Reply::stream_head(std::string_view content_type) {
  return head_start(200, content_type) + "X-Accel-Buffering: no\r\n\r\n";  // tells nginx not to buffer the stream
}

}  // namespace pushbench
