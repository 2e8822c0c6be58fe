#pragma once
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>

#include "servers/shared_state.hpp"

namespace pushbench {

// A subscriber for thread-per-connection code: the connection's own thread blocks in wait()
// until the log delivers events, the server shuts down or the time is up. The queue is bounded
// like the event loop's: a connection that falls that far behind is cut off and counted.
class BlockingSubscriber : public Subscriber {
 public:
  explicit BlockingSubscriber(SharedState& state) : state_(state), limit_(state.options().max_queued_events) {}

  void deliver(EventPtr event) override;
  void shutdown() override;

  // Takes what is queued into `out` (waiting up to `timeout` for something); false when the
  // subscriber is finished: shut down or cut off as too slow.
  bool wait(std::chrono::nanoseconds timeout, std::deque<EventPtr>& out);

  // Catching up on a resume is not slowness.
  void raise_limit(std::size_t backlog) {
    std::lock_guard lock(mutex_);
    limit_ += backlog;
  }

 private:
  SharedState& state_;
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<EventPtr> queue_;
  std::size_t limit_;
  bool finished_ = false;
};

}  // namespace pushbench
