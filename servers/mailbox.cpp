#include "servers/mailbox.hpp"

#include "servers/stats.hpp"

namespace pushbench {

Mailbox::Mailbox(Stats& stats, std::uint64_t limit) : stats_(stats), limit_(limit) {}

void Mailbox::open(std::vector<EventPtr> backlog, std::optional<std::uint64_t> cursor) {
  std::lock_guard lock(mutex_);
  cursor_ = cursor.value_or(0);
  limit_ += backlog.size();
  inbox_ = std::move(backlog);
  if (!inbox_.empty() && !woken_) woken_ = true, wake();
}

void Mailbox::deliver(EventPtr event) {
  std::lock_guard lock(mutex_);
  if (status_ != Status::open || event->seq <= cursor_) return;
  if (inbox_.size() >= limit_) {
    status_ = Status::overflowed;
    inbox_ = {};  // what a stuck reader pinned is freed now, not when its connection goes
    stats_.slow_consumers_dropped.fetch_add(1, std::memory_order_relaxed);
    wake();  // always: the writer may be stuck in a write, past its last take()
    return;
  }
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
  return status_;
}

}  // namespace pushbench
