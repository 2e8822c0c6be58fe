#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pushbench {

// Client-side text/event-stream parser following the WHATWG "interpreting an event stream" rules:
// LF, CR and CRLF line ends (a CRLF split across chunks included), one leading BOM, comments,
// `data` lines joined with LF, `event`, `id` (ignored when it holds NUL) and `retry` (digits
// only), and no event for an empty data buffer. Any chunking gives the same events; buffers are
// reused, so a steady stream allocates nothing per event.
class SseParser {
 public:
  struct Event {
    std::string_view type;  // "message" unless an `event` field said otherwise
    std::string_view data;
    std::string_view last_event_id;
  };

  // Calls on_event(const Event&) for each event completed by `chunk`.
  template <typename OnEvent>
  void feed(std::string_view chunk, OnEvent&& on_event);

  const std::string& last_event_id() const { return last_event_id_; }
  std::optional<std::uint64_t> retry_ms() const { return retry_ms_; }
  std::uint64_t comments() const { return comments_; }

  // A new connection: a partial line or event from the old one is dropped; the last event ID
  // and retry survive (they are what a reconnect sends and waits).
  void reset_stream();

 private:
  // Handles one complete line; returns true when it ended an event that should be dispatched.
  bool process_line(std::string_view line);

  std::string line_;  // the unfinished line carried over from the previous chunk
  std::string data_;
  std::string type_;
  std::string id_buffer_;
  std::string last_event_id_;
  std::optional<std::uint64_t> retry_ms_;
  std::uint64_t comments_ = 0;
  bool at_stream_start_ = true;
  bool after_cr_ = false;  // the previous chunk ended in CR: a leading LF here belongs to it
};

template <typename OnEvent>
void SseParser::feed(std::string_view chunk, OnEvent&& on_event) {
  static constexpr std::string_view bom = "\xEF\xBB\xBF";
  if (at_stream_start_) {
    // The BOM may itself arrive split; wait until there are 3 bytes to decide.
    line_.append(chunk);
    if (line_.size() < bom.size() && bom.starts_with(line_)) return;
    at_stream_start_ = false;
    std::string head = std::move(line_);
    line_.clear();
    if (std::string_view(head).starts_with(bom)) head.erase(0, bom.size());
    return feed(head, on_event);
  }
  std::size_t pos = 0;
  if (after_cr_ && !chunk.empty() && chunk[0] == '\n') pos = 1;
  after_cr_ = false;
  while (pos < chunk.size()) {
    const std::size_t end = chunk.find_first_of("\r\n", pos);
    if (end == std::string_view::npos) {
      line_.append(chunk.substr(pos));
      return;
    }
    std::string_view line = chunk.substr(pos, end - pos);
    if (!line_.empty()) {
      line_.append(line);
      line = line_;
    }
    const bool dispatch = process_line(line);
    line_.clear();
    if (dispatch) {
      std::string_view data(data_);
      data.remove_suffix(1);  // the LF after the last data line
      on_event(Event{type_.empty() ? std::string_view("message") : std::string_view(type_), data, last_event_id_});
      data_.clear();
      type_.clear();
    }
    pos = end + 1;
    if (chunk[end] == '\r') {
      if (pos < chunk.size() && chunk[pos] == '\n')
        ++pos;
      else if (pos == chunk.size())
        after_cr_ = true;
    }
  }
}

}  // namespace pushbench
