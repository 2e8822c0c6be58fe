// HTTP long polling: the request is held until an event after the cursor exists or the timeout
// passes; the client asks again at once with the returned cursor.
#include "servers/cursor_query.hpp"
#include "servers/techniques/technique.hpp"

namespace pushbench {

void serve_long_poll(Exchange& exchange, const Target& target) {
  SharedState& state = exchange.state();
  const std::uint64_t since = since_of(target).value_or(state.last_seq());
  // A publish wakes every waiter; one whose cursor is from the future (after a server restart)
  // finds nothing after it and waits on.
  auto try_answer = [&state, since](const std::shared_ptr<Subscriber>& waiter) -> std::optional<Reply> {
    std::vector<EventPtr> events = state.read_or_wait(since, waiter);
    if (events.empty()) return std::nullopt;
    const std::uint64_t next = next_cursor(events, since);
    return Reply::events(std::move(events), next);
  };
  exchange.hold(HeldAnswer{long_poll_timeout_of(target, state.options()), std::move(try_answer),
                           [since] { return Reply::events({}, since); }});
}

}  // namespace pushbench
