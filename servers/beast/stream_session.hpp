#pragma once
#include <boost/asio/buffer.hpp>
#include <boost/intrusive/list_hook.hpp>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "servers/beast/http_session.hpp"
#include "servers/mailbox.hpp"
#include "servers/shared_state.hpp"

namespace pushbench {

using IoThreadHook = boost::intrusive::list_base_hook<boost::intrusive::link_mode<boost::intrusive::auto_unlink>>;

// What the event-loop backend's streams (HTTP streams such as SSE, and WebSocket) share: the
// socket, a mailbox fed by its thread's walk over each publish, and one write in flight. A write
// gathers the stream's own bytes (a head, a heartbeat, a pong) and every event that arrived since
// the last one, each in the stream's encoding; it goes out at once when the socket takes it, which
// it nearly always does, and waits for the socket only when it does not.
class StreamSession : public Mailbox, public IoThreadHook, public std::enable_shared_from_this<StreamSession> {
 public:
  using Encoding = std::string_view (*)(const EncodedEvent& event);

  // From the thread's walk, on this session's thread.
  void offer(const std::vector<EventPtr>& events);
  void end();      // the server is stopping: say goodbye after what is queued
  void give_up();  // it fell too far behind (or its thread did): cut off as slow

 protected:
  // Each event goes out as encoding(event) followed by event_end (may be empty).
  StreamSession(Handover connection, SharedState& state, std::atomic<std::uint64_t>& gauge, Encoding encoding,
                std::string_view event_end);

  // `head` goes out, then the events after `since` (nullopt: from now on). Subscribed before
  // the head is sent, so a client that has read the head misses nothing published after it.
  void subscribe(std::optional<std::uint64_t> since, std::string head);
  // While streaming: queues the stream's own bytes, sent before the next events.
  void send(std::string bytes);
  // No more events: `last_words` go out after what is queued, then said_goodbye() is called.
  void end_with(std::string last_words);
  // The connection is gone or given up: no more writes, the socket is closed.
  void close();
  bool closed() const { return phase_ == Phase::closed; }

  virtual std::string goodbye() = 0;  // the last words when the server stops
  virtual void said_goodbye() = 0;    // they were written: end the connection
  virtual void on_close() {}          // cancel the stream's timers

  Link link_;
  SharedState& state_;
  std::size_t writes_ = 0;
  bool writing_ = false;

 private:
  enum class Phase { streaming, ending, closed };

  void wake() final { pull_due_ = true; }
  void pull();
  void flush();
  void written(std::size_t bytes, std::size_t writes);

  ConnectionSlot slot_;
  IoThread& thread_;
  Encoding encoding_;
  std::string_view event_end_;
  GaugeHold gauge_;
  Phase phase_ = Phase::streaming;
  bool pull_due_ = false;               // the mailbox has news for the writer
  std::vector<std::string> own_bytes_;  // queued: head, heartbeats, control frames
  std::vector<std::string> own_bytes_sending_;
  std::optional<std::string> last_words_;  // ending: written after the last events
  bool last_words_sending_ = false;
  std::vector<EventPtr> batch_;  // the events being written
  std::vector<boost::asio::const_buffer> gather_;
};

}  // namespace pushbench
