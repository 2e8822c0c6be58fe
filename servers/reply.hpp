#pragma once
#include <boost/asio/buffer.hpp>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/event.hpp"

namespace pushbench {

// An HTTP response, whatever the backend: status, content type, extra headers and a body. A poll
// answer's body is the shared event encodings themselves, joined by punctuation, never copied
// on the event-loop backend (buffers()); body() joins them for backends that need one string.
class Reply {
 public:
  static Reply text(unsigned status, std::string_view content_type, std::string body);
  static Reply json(unsigned status, std::string body) { return text(status, "application/json", std::move(body)); }
  static Reply error(unsigned status, std::string_view message);          // {"error":"..."}
  static Reply events(std::vector<EventPtr> events, std::uint64_t next);  // {"events":[...],"next":N}

  Reply& header(std::string_view name, std::string_view value);

  unsigned status() const { return status_; }
  std::string_view content_type() const { return content_type_; }
  const std::vector<std::pair<std::string, std::string>>& headers() const { return headers_; }
  std::size_t event_count() const { return events_.size(); }
  std::string body() const;

  // The response on the wire; the buffers stay valid while this Reply lives and is not changed.
  // Fills `out` (its capacity reused from answer to answer).
  void buffers(bool keep_alive, std::vector<boost::asio::const_buffer>& out);

  // The head of a streamed response (no length: the body ends when the connection does).
  static std::string stream_head(std::string_view content_type);

 private:
  std::size_t body_length() const;

  unsigned status_ = 200;
  std::string content_type_;
  std::vector<std::pair<std::string, std::string>> headers_;
  std::string head_;
  std::string body_;  // whole body, or what comes before the events
  std::vector<EventPtr> events_;
  std::string tail_;  // what comes after the events
};

}  // namespace pushbench
