#pragma once
#include <boost/asio/io_context.hpp>
#include <boost/intrusive/list.hpp>
#include <memory>
#include <mutex>
#include <vector>

#include "servers/beast/stream_session.hpp"
#include "servers/subscriber.hpp"

namespace pushbench {

// One thread of the event-loop backend: its own io_context and the streams it serves. A
// connection stays on one thread for good, so its handlers need no strand; and a publish wakes
// each thread once, which then walks its own streams, instead of posting to every subscriber.
// Events published while the thread is busy wait for one walk together, so that each stream
// writes them in one system call: the busier the server, the more events per write.
class IoThread final : public Subscriber {
 public:
  explicit IoThread(std::size_t max_arrived);

  boost::asio::io_context& context() { return ioc_; }

  // On this thread: the stream gets every event published from now on (SharedState::backlog
  // covers those before); once the server is stopping, it is told to end at once.
  void add(StreamSession& stream);

  // From the publishing thread, with the publish lock held: one post each. The posts need no
  // owner: the io_context that runs them is this object's.
  void deliver(EventPtr event) override;
  void shutdown() override;

 private:
  template <typename Visit>
  void walk(Visit visit);
  void deliver_arrived();

  // Declared before the io_context: sessions its handlers still own unlink while it is destroyed.
  boost::intrusive::list<StreamSession, boost::intrusive::constant_time_size<false>> streams_;
  boost::asio::io_context ioc_;
  std::mutex mutex_;
  std::vector<EventPtr> arrived_;  // published since the walk was posted
  std::vector<EventPtr> walking_;  // the walk's, on this thread
  const std::size_t max_arrived_;  // beyond, the thread is stuck: its streams are cut off as slow
  bool walk_posted_ = false;
  bool overflowed_ = false;  // what arrived was dropped: every stream here is behind
  bool stopping_ = false;    // on this thread
};

}  // namespace pushbench
