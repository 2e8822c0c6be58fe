#include "servers/httplib/blocking_subscriber.hpp"

namespace pushbench {

void BlockingSubscriber::deliver(EventPtr event) {
  {
    std::lock_guard lock(mutex_);
    if (finished_) return;
    if (queue_.size() >= limit_) {
      finished_ = true;
      queue_.clear();
      state_.stats().slow_consumers_dropped.fetch_add(1, std::memory_order_relaxed);
    } else {
      queue_.push_back(std::move(event));
    }
  }
  ready_.notify_one();
}

void BlockingSubscriber::shutdown() {
  {
    std::lock_guard lock(mutex_);
    finished_ = true;
  }
  ready_.notify_one();
}

bool BlockingSubscriber::wait(std::chrono::nanoseconds timeout, std::deque<EventPtr>& out) {
  std::unique_lock lock(mutex_);
  ready_.wait_for(lock, timeout, [this] { return finished_ || !queue_.empty(); });
  if (finished_) return false;
  out.insert(out.end(), std::make_move_iterator(queue_.begin()), std::make_move_iterator(queue_.end()));
  queue_.clear();
  return true;
}

}  // namespace pushbench
