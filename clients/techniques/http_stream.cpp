// HTTP streaming: one GET, then newline-delimited JSON events read as they arrive; a new
// connection resumes with ?since=N, the last seq seen.
#include "clients/stream_connection.hpp"
#include "clients/techniques/technique.hpp"

namespace pushbench {
namespace {

class HttpStreamClient final : public StreamConnection {
 public:
  using StreamConnection::StreamConnection;

 private:
  std::string target() const override { return resume_target(); }
  std::string_view content_type() const override { return "application/x-ndjson"; }
  void on_stream_start() override { line_.clear(); }

  // Each complete line is an event; empty lines are the server's heartbeat.
  void on_body(std::string_view chunk) override {
    for (std::size_t end; (end = chunk.find('\n')) != std::string_view::npos; chunk.remove_prefix(end + 1)) {
      line_.append(chunk.substr(0, end));
      EventFields fields;
      if (!line_.empty() && read_event_fields(line_, fields))
        on_event(fields);
      else if (!line_.empty())
        count_error(ErrorKind::protocol);
      line_.clear();
    }
    line_.append(chunk);
  }

  std::string line_;  // the unfinished line carried over from the previous chunk
};

}  // namespace

std::shared_ptr<Connection> connect_http_stream(Worker& worker, std::size_t index) {
  return std::make_shared<HttpStreamClient>(worker, index);
}

}  // namespace pushbench
