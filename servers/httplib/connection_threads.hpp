#pragma once
#include <httplib.h>

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace pushbench {

// cpp-httplib's task queue made thread per connection: each accepted connection (a task that
// serves it until it closes) gets a thread of its own, up to `max_threads`; beyond, connections
// wait, at most `max_waiting` of them. When that many wait, enqueue() blocks the accept loop, so
// the rest wait in the kernel's listen backlog instead of in memory: the queue is bounded.
class ConnectionThreads final : public httplib::TaskQueue {
 public:
  ConnectionThreads(std::size_t max_threads, std::size_t max_waiting);
  ~ConnectionThreads() override;

  void enqueue(std::function<void()> connection) override;
  void shutdown() override;

 private:
  void serve(std::function<void()> connection);

  const std::size_t max_threads_;
  const std::size_t max_waiting_;
  std::mutex mutex_;
  std::condition_variable room_;  // a waiting connection was taken, or shutdown
  std::deque<std::function<void()>> waiting_;
  std::vector<std::thread> threads_;
  std::size_t busy_ = 0;  // threads serving a connection now
  bool stopping_ = false;
};

}  // namespace pushbench
