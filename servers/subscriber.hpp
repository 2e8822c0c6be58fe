#pragma once
#include "core/event.hpp"

namespace pushbench {

// Anything fed by publishes: an io thread of the event-loop backend (for all its streams), a
// stream's mailbox on cpp-httplib, a waiting long poll. Both calls come from whichever thread
// publishes, with the publish lock held: an implementation only queues, posts or notifies, and
// returns.
class Subscriber {
 public:
  virtual ~Subscriber() = default;
  virtual void deliver(EventPtr event) = 0;
  virtual void shutdown() = 0;  // the server is stopping: close cleanly
};

}  // namespace pushbench
