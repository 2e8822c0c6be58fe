#include "servers/cursor_query.hpp"

#include <algorithm>

namespace pushbench {

std::optional<std::uint64_t> since_of(const Target& target) { return target.uint_param("since", max_cursor); }

std::optional<std::uint64_t> stream_cursor_of(const Target& target, std::string_view last_event_id) {
  if (!last_event_id.empty()) return parse_bounded_uint("Last-Event-ID", last_event_id, max_cursor);
  return since_of(target);
}

std::string publisher_of(const Target& target) { return target.text_param("from", limits::max_publisher_name); }

std::chrono::milliseconds long_poll_timeout_of(const Target& target, const ServerOptions& options) {
  const auto longest = std::chrono::duration_cast<std::chrono::milliseconds>(options.max_long_poll);
  const auto asked = target.uint_param("timeout_ms", static_cast<std::uint64_t>(longest.count()));
  return std::chrono::milliseconds(
      asked.value_or(std::min<std::uint64_t>(limits::default_long_poll_timeout.count(), longest.count())));
}

}  // namespace pushbench
