#include "core/sse_parser.hpp"

namespace pushbench {

void SseParser::reset_stream() {
  line_.clear();
  data_.clear();
  type_.clear();
  at_stream_start_ = true;
  after_cr_ = false;
}

bool SseParser::process_line(std::string_view line) {
  if (line.empty()) {
    last_event_id_ = id_buffer_;
    if (data_.empty()) {
      type_.clear();
      return false;
    }
    return true;
  }
  if (line.front() == ':') {
    ++comments_;
    return false;
  }
  const std::size_t colon = line.find(':');
  const std::string_view field = line.substr(0, colon);
  std::string_view value = colon == std::string_view::npos ? std::string_view{} : line.substr(colon + 1);
  if (!value.empty() && value.front() == ' ') value.remove_prefix(1);

  if (field == "data") {
    data_.append(value);
    data_.push_back('\n');
  } else if (field == "event") {
    type_.assign(value);
  } else if (field == "id") {
    if (value.find('\0') == std::string_view::npos) id_buffer_.assign(value);
  } else if (field == "retry") {
    if (!value.empty() && value.find_first_not_of("0123456789") == std::string_view::npos && value.size() < 19) {
      retry_ms_ = std::stoull(std::string(value));
    }
  }
  return false;
}

}  // namespace pushbench
