#include "servers/beast/io_thread.hpp"

#include <boost/asio/post.hpp>
#include <utility>

namespace pushbench {

IoThread::IoThread() : ioc_(1) {}  // one thread runs it

void IoThread::deliver(EventPtr event) {
  std::lock_guard lock(mutex_);
  arrived_.push_back(std::move(event));
  if (std::exchange(walk_posted_, true)) return;
  boost::asio::post(ioc_, [this] { deliver_arrived(); });
}

void IoThread::deliver_arrived() {
  {
    std::lock_guard lock(mutex_);
    walking_.swap(arrived_);
    walk_posted_ = false;
  }
  walk([this](StreamSession& stream) { stream.offer(walking_); });
  walking_.clear();
}

void IoThread::shutdown() {
  boost::asio::post(ioc_, [this] { walk([](StreamSession& stream) { stream.end(); }); });
}

// A visit may unlink the stream it visits (it closed), never another one.
template <typename Visit>
void IoThread::walk(Visit visit) {
  for (auto it = streams_.begin(); it != streams_.end();) visit(*it++);
}

}  // namespace pushbench
