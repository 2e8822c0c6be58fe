#pragma once
#include <boost/asio/steady_timer.hpp>
#include <string>

#include "servers/beast/stream_session.hpp"
#include "servers/exchange.hpp"

namespace pushbench {

// A streamed HTTP response on the event-loop backend (SSE, or any technique that answers with an
// EventStream): the head and preamble, then the events in the plan's encoding, a heartbeat after
// each quiet interval, and the farewell and the end of the response when the server stops.
class ByteStreamSession final : public StreamSession {
 public:
  ByteStreamSession(Handover connection, SharedState& state, EventStream plan);

  void start();

 private:
  void watch_for_close();
  void arm_heartbeat(std::size_t writes_before);
  std::string goodbye() override { return plan_.farewell; }
  void said_goodbye() override;
  void on_close() override { heartbeat_.cancel(); }

  EventStream plan_;
  boost::asio::steady_timer heartbeat_;
};

}  // namespace pushbench
