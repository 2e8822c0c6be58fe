#include "servers/beast/io_thread.hpp"

#include <boost/asio/post.hpp>

namespace pushbench {

IoThread::IoThread() : ioc_(1) {}  // one thread runs it

void IoThread::deliver(EventPtr event) {
  boost::asio::post(ioc_,
                    [this, event = std::move(event)] { walk([&](StreamSession& stream) { stream.offer(event); }); });
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
