#pragma once
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/event_log.hpp"
#include "servers/backplane.hpp"
#include "servers/mailbox.hpp"
#include "servers/server_options.hpp"
#include "servers/stats.hpp"

namespace pushbench {

class Publisher;

// The one event log behind all four techniques, the subscribers it feeds and the counters.
// One lock serialises publish against subscribe, so a subscriber's backlog and its live events
// meet with no gap, no duplicate and no reordering.
class SharedState {
 public:
  explicit SharedState(ServerOptions options);  // with --backplane, connects to it (CannotStart)

  const ServerOptions& options() const { return options_; }
  Stats& stats() { return stats_; }

  // Appends the event and hands its shared encoding to every subscriber and waiting long poll;
  // returns its seq. With a backplane the event goes there, and comes back numbered through
  // it to every node (0: the backplane did not take it).
  std::uint64_t publish(std::int64_t ts, std::string_view data, std::string_view from = {},
                        PayloadKind kind = PayloadKind::text);

  // Events after `since` (at most --max-batch), for polls.
  std::vector<EventPtr> read(std::uint64_t since);
  std::uint64_t last_seq();

  // The events after `since` still in the log (none for nullopt), appended to `out`; returns the
  // last seq published, which they end with.
  std::uint64_t backlog(std::optional<std::uint64_t> since, std::vector<EventPtr>& out);

  // Registers a stream for the events after `since` (nullopt: from now on): the backlog already
  // in the log goes into its mailbox first, then every later event through deliver().
  void subscribe(const std::shared_ptr<Mailbox>& stream, std::optional<std::uint64_t> since);
  // Registers a fan-out of its own (an io thread's), fed every event from now on.
  void subscribe(const std::shared_ptr<Subscriber>& subscriber);
  void unsubscribe(const Subscriber* stream);

  // Long poll: the events after `since` if there are any; otherwise registers `waiter` for one
  // wake-up on the next publish and returns none.
  std::vector<EventPtr> read_or_wait(std::uint64_t since, const std::shared_ptr<Subscriber>& waiter);
  void cancel_wait(const Subscriber* waiter);

  // Asks every stream and waiter to close; returns how many there were.
  std::size_t shutdown_all();

  std::string stats_json();

  // The built-in publisher, for changing its rate at run time (the demo page's control).
  void attach_publisher(Publisher* publisher) { publisher_ = publisher; }
  Publisher* publisher() const { return publisher_; }

 private:
  using Registry = std::unordered_map<const Subscriber*, std::weak_ptr<Subscriber>>;

  // Appends an event the backplane numbered, and fans it out.
  void deliver(const Backplane::Entry& entry);
  void fan_out(const EventPtr& event);  // with the lock held

  // With a backplane: the events after `since` that the log no longer holds and the stream still
  // does (the log's byte bound can trim it before the stream's count does), at most `max`.
  std::vector<EventPtr> older_than_log(std::optional<std::uint64_t> since, std::size_t max);

  // backlog() with the lock held.
  std::uint64_t read_backlog(std::optional<std::uint64_t> since, std::vector<EventPtr>& out) const;

  const ServerOptions options_;
  Stats stats_;
  std::mutex mutex_;
  EventLog log_;
  Registry streams_;
  Registry waiters_;
  Publisher* publisher_ = nullptr;
  std::unique_ptr<Backplane> backplane_;  // last: its thread delivers into the members above
};

}  // namespace pushbench
