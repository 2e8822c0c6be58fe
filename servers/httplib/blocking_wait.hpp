#pragma once
#include <chrono>
#include <condition_variable>
#include <mutex>

#include "servers/mailbox.hpp"

namespace pushbench {

// A signal a blocked thread waits on: set from a publishing thread, consumed by the waiter.
class Signal {
 public:
  void raise() {
    {
      std::lock_guard lock(mutex_);
      raised_ = true;
    }
    ready_.notify_one();
  }
  // Whether it was raised within `timeout`; consumes it.
  bool wait(std::chrono::nanoseconds timeout) {
    std::unique_lock lock(mutex_);
    const bool raised = ready_.wait_for(lock, timeout, [this] { return raised_; });
    raised_ = false;
    return raised;
  }

 private:
  std::mutex mutex_;
  std::condition_variable ready_;
  bool raised_ = false;
};

// A held long poll's waiter: a publish or a stop wakes the thread.
class BlockingWaiter final : public Subscriber {
 public:
  void deliver(EventPtr) override { signal.raise(); }
  void shutdown() override {
    stopping = true;
    signal.raise();
  }
  Signal signal;
  std::atomic<bool> stopping{false};
};

// A stream's mailbox whose writer is a blocked thread.
class BlockingMailbox final : public Mailbox {
 public:
  using Mailbox::Mailbox;
  Signal signal;

 private:
  void wake() override { signal.raise(); }
};

}  // namespace pushbench
