// HTTP streaming: one long response whose body is the events as newline-delimited JSON
// (application/x-ndjson), read by fetch() and a stream reader; nothing resumes by itself, so a
// client comes back with ?since=N.
#include "servers/cursor_query.hpp"
#include "servers/techniques/technique.hpp"

namespace pushbench {

void serve_http_stream(Exchange& exchange, const Target& target) {
  SharedState& state = exchange.state();
  exchange.stream(EventStream{
      .content_type = "application/x-ndjson",
      .preamble = "",
      .encoding = [](const EncodedEvent& event) -> std::string_view { return event.json; },
      .event_end = "\n",
      .heartbeat = "\n",  // an empty line, which NDJSON readers skip
      .farewell = "",
      .since = since_of(target),
      .gauge = &state.stats().other_streams,
  });
}

}  // namespace pushbench
