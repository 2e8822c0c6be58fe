// WebSocket: the upgrade handshake, then one frame per event (text: the event's JSON; binary: seq,
// ts, raw bytes); a reconnect resumes with ?since. A sender's messages go up as text frames.
#include "clients/techniques/technique.hpp"
#include "clients/websocket_connection.hpp"

namespace pushbench {
namespace {

class WebSocketClient final : public WebSocketConnection {
 public:
  using WebSocketConnection::WebSocketConnection;

 private:
  std::string target() const override { return with_publisher(resume_target()); }

  void on_upgraded() override { established(); }

  void on_message(std::string_view data, bool binary) override {
    EventFields fields;
    if (binary ? read_binary_event(data, fields) : read_event_fields(data, fields))
      on_event(fields);
    else
      count_error(ErrorKind::protocol);
  }
};

}  // namespace

std::shared_ptr<Connection> connect_websocket(Worker& worker, std::size_t index) {
  return std::make_shared<WebSocketClient>(worker, index);
}

}  // namespace pushbench
