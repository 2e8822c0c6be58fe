// Server-Sent Events on the thread-per-connection backend: the pool thread stays in the content
// provider for as long as the stream is open, blocked until events (or the heartbeat) are due.
#include <httplib.h>

#include "core/sse_format.hpp"
#include "servers/cursor_query.hpp"
#include "servers/httplib/blocking_subscriber.hpp"
#include "servers/httplib/techniques.hpp"

namespace pushbench {
namespace {

// One open stream: its subscription, and the frames it still has to write.
struct SseStream {
  explicit SseStream(SharedState& s)
      : state(s), subscriber(std::make_shared<BlockingSubscriber>(s)), slot(s.stats()), gauge(s.stats().sse_streams) {}
  ~SseStream() { state.unsubscribe(subscriber.get()); }

  // Writes what is pending, or a heartbeat when nothing came for an interval; false to end.
  bool write_next(httplib::DataSink& sink) {
    if (pending.empty() && !subscriber->wait(state.options().heartbeat, pending)) return false;
    std::erase_if(pending, [this](const EventPtr& event) { return event->seq <= cursor; });  // from the future
    if (pending.empty()) return sink.write(sse_heartbeat_frame.data(), sse_heartbeat_frame.size());
    std::uint64_t bytes = 0;
    for (const EventPtr& event : pending) {
      if (!sink.write(event->sse.data(), event->sse.size())) return false;
      bytes += event->sse.size();
    }
    state.stats().add_delivery(pending.size(), bytes);
    pending.clear();
    return true;
  }

  SharedState& state;
  std::shared_ptr<BlockingSubscriber> subscriber;
  std::deque<EventPtr> pending;
  std::uint64_t cursor = 0;  // the `since` asked: live events at or before it are not sent
  ConnectionSlot slot;
  GaugeHold gauge;
};

}  // namespace

void httplib_sse(SharedState& state, const httplib::Request& request, httplib::Response& response) {
  const auto since = stream_cursor_of(Target::parse(request.target), request.get_header_value("Last-Event-ID"));
  auto stream = std::make_shared<SseStream>(state);
  std::vector<EventPtr> backlog = state.subscribe(stream->subscriber, since);
  stream->subscriber->raise_limit(backlog.size());
  stream->pending.assign(backlog.begin(), backlog.end());
  stream->cursor = since.value_or(0);
  const std::string retry =
      sse_retry_frame(std::chrono::duration_cast<std::chrono::milliseconds>(state.options().sse_retry));
  response.set_header("Cache-Control", "no-store");
  response.set_content_provider(
      "text/event-stream",
      [stream, retry, started = false](std::size_t, httplib::DataSink& sink) mutable {
        if (!started) {
          started = true;
          return sink.write(retry.data(), retry.size());
        }
        return stream->write_next(sink);
      });
}

}  // namespace pushbench
