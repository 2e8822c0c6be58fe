#pragma once
#include <boost/asio/any_io_executor.hpp>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "servers/mailbox.hpp"
#include "servers/shared_state.hpp"

namespace pushbench {

// What the event-loop backend's streams (byte streams such as SSE, and WebSocket) share: a
// mailbox fed by publishes and one write in flight on the session's strand; each write takes
// everything that arrived since the last one.
class StreamSession : public Mailbox, public std::enable_shared_from_this<StreamSession> {
 protected:
  StreamSession(SharedState& state, boost::asio::any_io_executor executor, std::atomic<std::uint64_t>& gauge);
  ~StreamSession() override;

  // On the session's executor, once the stream is ready for events.
  void subscribe(std::optional<std::uint64_t> since);
  // Starts a write if none is in flight and there is something to send.
  void pull();
  // The write of `batch_` (and `control_`) completed.
  void written(std::size_t wire_bytes);
  // The transport is gone or being closed: no more writes.
  void stop();

  virtual void write_batch() = 0;       // writes control_ then batch_; completion calls written()
  virtual void close_gracefully() = 0;  // the server is stopping
  virtual void cut_off() = 0;           // too slow: close at once

  SharedState& state_;
  boost::asio::any_io_executor executor_;
  std::vector<std::string_view> control_;  // bytes of the stream itself (head, heartbeat), sent first
  std::vector<EventPtr> batch_;            // the events being written
  std::size_t writes_ = 0;
  bool writing_ = false;  // also set while a handshake holds the writes back
  bool stopped_ = false;

 private:
  void wake() final;

  GaugeHold gauge_;
};

}  // namespace pushbench
