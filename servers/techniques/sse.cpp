// Server-Sent Events: one long HTTP response of text/event-stream frames; the browser's
// EventSource reconnects by itself and resumes with Last-Event-ID.
#include "core/sse_format.hpp"
#include "servers/cursor_query.hpp"
#include "servers/techniques/technique.hpp"

namespace pushbench {

void serve_sse(Exchange& exchange, const Target& target) {
  SharedState& state = exchange.state();
  const auto retry = std::chrono::duration_cast<std::chrono::milliseconds>(state.options().sse_retry);
  exchange.stream(EventStream{
      .content_type = "text/event-stream",
      .preamble = sse_retry_frame(retry),
      .encoding = [](const EncodedEvent& event) -> std::string_view { return event.sse; },
      .event_end = "",  // each frame ends with its blank line
      .heartbeat = sse_heartbeat_frame,
      .farewell = sse_retry_frame(retry),
      .since = stream_cursor_of(target, exchange.header("Last-Event-ID")),
      .gauge = &state.stats().sse_streams,
  });
}

}  // namespace pushbench
