#include "servers/mailbox.hpp"

#include "servers/stats.hpp"

namespace pushbench {

Mailbox::Mailbox(Stats& stats, std::uint64_t max_events, std::uint64_t max_bytes)
    : stats_(stats), max_events_(max_events), max_bytes_(max_bytes) {}

void Mailbox::open(std::vector<EventPtr> backlog, std::optional<std::uint64_t> cursor) {
  std::lock_guard lock(mutex_);
  cursor_ = cursor.value_or(0);
  backlog_events_ = backlog.size();
  for (const EventPtr& event : backlog) backlog_bytes_ += event->memory_bytes();
  inbox_bytes_ = backlog_bytes_;
  inbox_ = std::move(backlog);
  if (!inbox_.empty() && !woken_) woken_ = true, wake();
}

void Mailbox::deliver(EventPtr event) {
  std::lock_guard lock(mutex_);
  if (status_ != Status::open || event->seq <= cursor_) return;
  // What arrived live counts against the bounds; a backlog still in the inbox does not.
  if (inbox_.size() - backlog_events_ >= max_events_ ||
      inbox_bytes_ - backlog_bytes_ + event->memory_bytes() > max_bytes_) {
    status_ = Status::overflowed;
    inbox_ = {};  // what a stuck reader pinned is freed now, not when its connection goes
    inbox_bytes_ = 0;
    stats_.slow_consumers_dropped.fetch_add(1, std::memory_order_relaxed);
    wake();  // always: the writer may be stuck in a write, past its last take()
    return;
  }
  inbox_bytes_ += event->memory_bytes();
  inbox_.push_back(std::move(event));
  if (!woken_) woken_ = true, wake();
}

void Mailbox::shutdown() {
  std::lock_guard lock(mutex_);
  if (status_ != Status::open) return;
  status_ = Status::shut_down;
  wake();
}

Mailbox::Status Mailbox::status() {
  std::lock_guard lock(mutex_);
  return status_;
}

Mailbox::Status Mailbox::take(std::vector<EventPtr>& out) {
  std::lock_guard lock(mutex_);
  woken_ = false;
  if (out.empty())
    out.swap(inbox_);
  else
    out.insert(out.end(), std::make_move_iterator(inbox_.begin()), std::make_move_iterator(inbox_.end()));
  inbox_.clear();
  inbox_bytes_ = backlog_events_ = backlog_bytes_ = 0;
  return status_;
}

}  // namespace pushbench
