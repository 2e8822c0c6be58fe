#include "servers/httplib/connection_threads.hpp"

namespace pushbench {

ConnectionThreads::ConnectionThreads(std::size_t max_threads, std::size_t max_waiting)
    : max_threads_(max_threads), max_waiting_(max_waiting) {}

ConnectionThreads::~ConnectionThreads() { shutdown(); }

void ConnectionThreads::enqueue(std::function<void()> connection) {
  std::unique_lock lock(mutex_);
  room_.wait(lock, [this] { return stopping_ || waiting_.size() < max_waiting_ || busy_ < max_threads_; });
  if (busy_ < max_threads_ && busy_ == threads_.size()) {  // no idle thread: start one
    ++busy_;
    threads_.emplace_back([this, connection = std::move(connection)]() mutable { serve(std::move(connection)); });
    return;
  }
  waiting_.push_back(std::move(connection));
  room_.notify_all();
}

// Serves connections until none waits; the thread then parks until a new one comes or shutdown.
void ConnectionThreads::serve(std::function<void()> connection) {
  for (;;) {
    connection();
    std::unique_lock lock(mutex_);
    --busy_;
    room_.notify_all();
    room_.wait(lock, [this] { return stopping_ || !waiting_.empty(); });
    if (waiting_.empty()) return;  // stopping
    connection = std::move(waiting_.front());
    waiting_.pop_front();
    ++busy_;
    room_.notify_all();
  }
}

void ConnectionThreads::shutdown() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ && threads_.empty()) return;
    stopping_ = true;
  }
  room_.notify_all();
  for (std::thread& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
  threads_.clear();
}

}  // namespace pushbench
