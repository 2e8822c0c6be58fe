#pragma once
#include "core/event.hpp"

namespace pushbench {

// Anything fed by publishes: SSE and WebSocket streams, waiting long polls. Both calls come from
// whichever thread publishes, with the publish lock held: an implementation only posts to its
// own strand and returns.
class Subscriber {
 public:
  virtual ~Subscriber() = default;
  virtual void deliver(EventPtr event) = 0;
  virtual void shutdown() = 0;  // the server is stopping: close cleanly
};

}  // namespace pushbench
