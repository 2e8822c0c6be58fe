#pragma once
#include <boost/asio/buffer.hpp>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/event.hpp"

namespace pushbench {

// An HTTP response serialised by hand: a head and a body of buffers. A poll response's body is
// the shared event encodings themselves, joined by buffers of punctuation, never copied.
class Reply {
 public:
  static Reply text(unsigned status, std::string_view content_type, std::string body);
  static Reply json(unsigned status, std::string body) { return text(status, "application/json", std::move(body)); }
  static Reply error(unsigned status, std::string_view message);  // {"error":"..."}
  static Reply events(std::vector<EventPtr> events, std::uint64_t next);  // {"events":[...],"next":N}

  Reply& header(std::string_view name, std::string_view value);

  unsigned status() const { return status_; }
  std::size_t event_count() const { return events_.size(); }

  // The response on the wire; the buffers stay valid while this Reply lives and is not changed.
  std::vector<boost::asio::const_buffer> buffers(bool keep_alive);

 private:
  unsigned status_ = 200;
  std::string content_type_;
  std::string extra_headers_;
  std::string head_;
  std::string body_;  // whole body, or what comes before the events
  std::vector<EventPtr> events_;
  std::string tail_;  // what comes after the events
};

}  // namespace pushbench
