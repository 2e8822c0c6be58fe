#pragma once
#include <boost/asio/steady_timer.hpp>
#include <string>

#include "servers/beast/http_session.hpp"
#include "servers/beast/stream_session.hpp"
#include "servers/exchange.hpp"

namespace pushbench {

// A streamed HTTP response on the event-loop backend (SSE, or any technique that answers with an
// EventStream): the head and preamble, then every queued frame in one gathered write, and a
// heartbeat after each quiet interval.
class ByteStreamSession final : public StreamSession {
 public:
  ByteStreamSession(Handover connection, SharedState& state, EventStream plan);

  void start();

 private:
  void write_batch() override;
  void watch_for_close();
  void arm_heartbeat(std::size_t writes_before);
  void end();
  void close_gracefully() override;
  void finish_response();
  void cut_off() override { end(); }

  tcp::socket socket_;
  ConnectionSlot slot_;
  EventStream plan_;
  std::string head_;
  boost::asio::steady_timer heartbeat_;
  std::vector<boost::asio::const_buffer> gather_;
};

}  // namespace pushbench
