#pragma once
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/query.hpp"
#include "servers/reply.hpp"
#include "servers/shared_state.hpp"

namespace pushbench {

// A long poll's answer, held: `try_answer` is asked at once and after every publish; it returns
// the reply when there is one, or registers `waiter` for the next publish and returns nullopt.
// When `timeout` passes first, the answer is `timed_out()`.
struct HeldAnswer {
  std::chrono::milliseconds timeout;
  std::function<std::optional<Reply>(const std::shared_ptr<Subscriber>& waiter)> try_answer;
  std::function<Reply()> timed_out;
};

// One long response of frames (SSE, or any HTTP stream): the backend writes the head, then
// `preamble`, then each event's `encoding` followed by `event_end` as it is published, and
// `heartbeat` when the stream has been quiet for --heartbeat; when the server stops, `farewell`
// (SSE: a retry: line, so clients come back after it) and the end of the response.
struct EventStream {
  std::string_view content_type;
  std::string preamble;
  std::string_view (*encoding)(const EncodedEvent& event);
  std::string_view event_end;
  std::string_view heartbeat;
  std::string farewell;
  std::optional<std::uint64_t> since;  // nullopt: events from now on
  std::atomic<std::uint64_t>* gauge;   // the /stats counter of open streams of this kind
};

// One request at the server, as every backend presents it to the router and the techniques
// (as Asio's request_handler sees a request, not a connection). A technique answers through
// exactly one of answer, hold, stream or upgrade_websocket; each backend implements them once.
class Exchange {
 public:
  virtual ~Exchange() = default;

  virtual SharedState& state() = 0;
  virtual std::string_view method() const = 0;
  virtual std::string_view target() const = 0;                       // as sent: the router parses it
  virtual std::string_view header(std::string_view name) const = 0;  // empty when absent
  virtual std::string_view body() const = 0;

  virtual void answer(Reply reply) = 0;
  virtual void hold(HeldAnswer held) = 0;
  virtual void stream(EventStream stream) = 0;
  // A WebSocket session after the opening handshake; one text frame per event. `publisher` names
  // the client in the events its messages become (empty: its ADDRESS:PORT).
  virtual void upgrade_websocket(std::optional<std::uint64_t> since, std::string publisher) = 0;
};

}  // namespace pushbench
