#include "servers/beast/io_thread.hpp"

#include <boost/asio/post.hpp>
#include <utility>

namespace pushbench {

IoThread::IoThread(std::size_t max_arrived) : ioc_(1), max_arrived_(max_arrived) {}  // one thread runs it

void IoThread::deliver(EventPtr event) {
  std::lock_guard lock(mutex_);
  if (arrived_.size() >= max_arrived_) {
    overflowed_ = true;
    arrived_ = {};  // freed now: no stream here can be given every event any more
  } else if (!overflowed_) {
    arrived_.push_back(std::move(event));
  }
  if (std::exchange(walk_posted_, true)) return;
  boost::asio::post(ioc_, [this] { deliver_arrived(); });
}

void IoThread::deliver_arrived() {
  bool overflowed = false;
  {
    std::lock_guard lock(mutex_);
    walking_.swap(arrived_);
    overflowed = std::exchange(overflowed_, false);
    walk_posted_ = false;
  }
  if (overflowed) {
    walk([](StreamSession& stream) { stream.give_up(); });
  } else {
    walk([this](StreamSession& stream) { stream.offer(walking_); });
  }
  walking_.clear();
}

void IoThread::add(StreamSession& stream) {
  streams_.push_back(stream);
  if (stopping_) stream.end();
}

void IoThread::shutdown() {
  boost::asio::post(ioc_, [this] {
    stopping_ = true;
    walk([](StreamSession& stream) { stream.end(); });
  });
}

// A visit may unlink the stream it visits (it closed), never another one.
template <typename Visit>
void IoThread::walk(Visit visit) {
  for (auto it = streams_.begin(); it != streams_.end();) visit(*it++);
}

}  // namespace pushbench
