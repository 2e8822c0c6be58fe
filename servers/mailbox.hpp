#pragma once
#include <cstdint>
#include <mutex>
#include <optional>
#include <vector>

#include "servers/subscriber.hpp"

namespace pushbench {

struct Stats;

// A stream subscriber's inbox, the same on every backend: publishes append from any thread, and
// the connection's writer takes everything at once when it is ready to write, so a batch of
// events costs one wake-up and one write, not one each. The inbox is bounded in events and in the
// memory they hold (--max-queued-events, --max-queued-bytes): a subscriber over either is not
// reading; it is cut off and counted, and what it held is freed at once. With one batch in
// flight, a stuck subscriber pins at most twice the bounds.
class Mailbox : public Subscriber {
 public:
  enum class Status { open, overflowed, shut_down };

  Mailbox(Stats& stats, std::uint64_t max_events, std::uint64_t max_bytes);

  // The events before the live ones (a resume); the bounds allow for them until the writer has
  // taken them, since catching up is not slowness. Live events at or before `cursor` are skipped (a cursor from the
  // future, after a server restart). Called by SharedState::subscribe with the publish lock held.
  void open(std::vector<EventPtr> backlog, std::optional<std::uint64_t> cursor);

  void deliver(EventPtr event) final;
  void shutdown() final;

  // Moves what arrived into `out` (appending); the writer calls it when it can write. Once the
  // status is not open, nothing more arrives.
  Status take(std::vector<EventPtr>& out);
  Status status();

 protected:
  // Something arrived in an empty inbox, or the status changed: the writer should take().
  // Called with the inbox's lock held, from whichever thread delivers: flag, post or notify,
  // nothing more.
  virtual void wake() = 0;

 private:
  Stats& stats_;
  std::mutex mutex_;
  std::vector<EventPtr> inbox_;
  std::uint64_t max_events_;
  std::uint64_t max_bytes_;
  std::uint64_t inbox_bytes_ = 0;     // memory of the events in the inbox
  std::uint64_t backlog_events_ = 0;  // the backlog's share of the inbox, until the first take()
  std::uint64_t backlog_bytes_ = 0;
  std::uint64_t cursor_ = 0;
  Status status_ = Status::open;
  bool woken_ = false;  // an arrival's wake() is pending: the writer has not taken since
};

}  // namespace pushbench
