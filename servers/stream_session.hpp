#pragma once
#include <boost/asio/any_io_executor.hpp>
#include <deque>
#include <memory>
#include <optional>
#include <string_view>

#include "servers/shared_state.hpp"

namespace pushbench {

// Bytes to send on a stream; `event` owns them, or is empty for bytes that live for the whole
// process (stream preamble, heartbeat).
struct Frame {
  EventPtr event;
  std::string_view bytes;
};

// What the SSE and WebSocket sessions share: a subscription to the event log and a bounded queue
// of shared frames behind one write in flight. A subscriber whose queue reaches its bound is not
// reading: it is cut off and counted, so it cannot hold memory or slow anyone else.
class StreamSession : public Subscriber, public std::enable_shared_from_this<StreamSession> {
 public:
  void deliver(EventPtr event) final;
  void shutdown() final;

 protected:
  StreamSession(SharedState& state, boost::asio::any_io_executor executor, std::atomic<std::uint64_t>& gauge);
  ~StreamSession() override;

  // On the session's executor, once the stream is ready for events.
  void subscribe(std::optional<std::uint64_t> since);
  void push(Frame frame);
  // A write of the first `frames` queued frames completed.
  void written(std::size_t frames, std::size_t wire_bytes);
  // The transport is gone or being closed: no more frames.
  void stop();
  // Frames queue up but are not written until released (while a handshake is still going on).
  void hold_writes() { writing_ = true; }
  void release_writes();

  virtual std::string_view encoding(const EncodedEvent& event) const = 0;
  virtual void write_queued() = 0;    // write from the queue's front; completion calls written()
  virtual void close_gracefully() = 0;  // the server is stopping
  virtual void cut_off() = 0;           // too slow: close at once

  SharedState& state_;
  boost::asio::any_io_executor executor_;
  std::deque<Frame> queue_;
  std::size_t frames_written_ = 0;
  bool writing_ = false;
  bool stopped_ = false;

 private:
  GaugeHold gauge_;
  std::size_t limit_;
  std::uint64_t cursor_ = 0;  // the `since` asked: a live event at or before it is not sent (a cursor from the future)
};

}  // namespace pushbench
