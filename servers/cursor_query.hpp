#pragma once
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/event.hpp"

#include "core/query.hpp"
#include "servers/server_options.hpp"

namespace pushbench {

// What the technique endpoints read from a request, the same for every backend; each throws
// BadRequest naming the parameter.

// `since`: events after it; nullopt means "from now on".
std::optional<std::uint64_t> since_of(const Target& target);

// SSE: the Last-Event-ID header (`header`, empty when absent) wins over `since`.
std::optional<std::uint64_t> stream_cursor_of(const Target& target, std::string_view last_event_id);

// A poll answer's `next`: the last event's seq, or the cursor asked when there is none.
inline std::uint64_t next_cursor(const std::vector<EventPtr>& events, std::uint64_t since) {
  return events.empty() ? since : events.back()->seq;
}

// `from`: who publishes what this request sends (a client of the broadcast workload); empty when
// absent, at most limits::max_publisher_name bytes of UTF-8.
std::string publisher_of(const Target& target);

// Long poll: `timeout_ms`, at most --max-long-poll; 30 s (or the maximum, if lower) when absent.
std::chrono::milliseconds long_poll_timeout_of(const Target& target, const ServerOptions& options);

}  // namespace pushbench
