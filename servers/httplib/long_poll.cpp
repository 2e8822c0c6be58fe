// HTTP long polling on the thread-per-connection backend: the pool thread itself waits for the
// next event, so each waiting poll holds one of the pool's threads.
#include <httplib.h>

#include "servers/cursor_query.hpp"
#include "servers/httplib/blocking_subscriber.hpp"
#include "servers/httplib/techniques.hpp"

namespace pushbench {

void httplib_long_poll(SharedState& state, const httplib::Request& request, httplib::Response& response) {
  const Target target = Target::parse(request.target);
  const auto timeout = long_poll_timeout_of(target, state.options());
  const std::uint64_t since = since_of(target).value_or(state.last_seq());
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  auto waiter = std::make_shared<BlockingSubscriber>(state);
  GaugeHold waiting(state.stats().long_polls_waiting);
  std::vector<EventPtr> events;
  std::deque<EventPtr> woken;
  // Registered waiters are woken by any publish; a cursor from the future waits on.
  while ((events = state.read_or_wait(since, waiter)).empty()) {
    const auto left = deadline - std::chrono::steady_clock::now();
    if (left <= std::chrono::nanoseconds(0) || !waiter->wait(left, woken)) break;
  }
  state.cancel_wait(waiter.get());
  const std::uint64_t next = next_cursor(events, since);
  state.stats().add_delivery(events.size(), 0);
  response.set_header("Cache-Control", "no-store");
  response.set_content(poll_body(events, next), "application/json");
}

}  // namespace pushbench
