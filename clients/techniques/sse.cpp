// Server-Sent Events: one GET, then an endless text/event-stream body parsed as it arrives. When
// the stream ends it reconnects after the server's retry delay, sending Last-Event-ID, as
// EventSource does.
#include "clients/stream_connection.hpp"
#include "clients/techniques/technique.hpp"
#include "core/sse_parser.hpp"

namespace pushbench {
namespace {

namespace http = boost::beast::http;

class SseClient final : public StreamConnection {
 public:
  using StreamConnection::StreamConnection;

 private:
  std::string target() const override { return endpoint_target(); }
  std::string_view content_type() const override { return "text/event-stream"; }

  void add_headers(http::request<http::empty_body>& request) const override {
    request.set(http::field::cache_control, "no-cache");
    if (!events_.last_event_id().empty()) request.set("Last-Event-ID", events_.last_event_id());
  }

  void on_stream_start() override { events_.reset_stream(); }

  void on_body(std::string_view chunk) override {
    events_.feed(chunk, [this](const SseParser::Event& event) {
      EventFields fields;
      if (read_event_fields(event.data, fields)) {
        if (event.type != "message") fields.name = event.type;
        on_event(fields);
      } else
        count_error(ErrorKind::protocol);
    });
  }

  std::chrono::nanoseconds reconnect_delay() const override {
    if (const auto retry = events_.retry_ms()) return std::chrono::milliseconds(*retry);
    return worker_.options().reconnect_delay;
  }

  SseParser events_;
};

}  // namespace

std::shared_ptr<Connection> connect_sse(Worker& worker, std::size_t index) {
  return std::make_shared<SseClient>(worker, index);
}

}  // namespace pushbench
