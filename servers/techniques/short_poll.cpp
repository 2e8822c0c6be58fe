// Ajax short polling: the client asks on a schedule; the answer is whatever is new, at once.
#include "servers/cursor_query.hpp"
#include "servers/techniques/technique.hpp"

namespace pushbench {

void serve_short_poll(Exchange& exchange, const Target& target) {
  SharedState& state = exchange.state();
  const auto since = since_of(target);
  if (!since) return exchange.answer(Reply::events({}, state.last_seq()));  // no cursor: from now on
  std::vector<EventPtr> events = state.read(*since);
  const std::uint64_t next = next_cursor(events, *since);
  exchange.answer(Reply::events(std::move(events), next));
}

}  // namespace pushbench
