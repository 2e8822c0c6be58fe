// Ajax short polling on the thread-per-connection backend: answered at once.
#include <httplib.h>

#include "servers/cursor_query.hpp"
#include "servers/httplib/techniques.hpp"

namespace pushbench {

void httplib_short_poll(SharedState& state, const httplib::Request& request, httplib::Response& response) {
  const auto since = since_of(Target::parse(request.target));
  std::vector<EventPtr> events = since ? state.read(*since) : std::vector<EventPtr>{};
  const std::uint64_t next = since ? next_cursor(events, *since) : state.last_seq();
  state.stats().add_delivery(events.size(), 0);
  response.set_header("Cache-Control", "no-store");
  response.set_content(poll_body(events, next), "application/json");
}

}  // namespace pushbench
