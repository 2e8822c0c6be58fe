// WebSocket: the upgrade handshake, then one text frame per event; a reconnect resumes with ?since.
#include "clients/techniques/technique.hpp"
#include "clients/websocket_connection.hpp"

namespace pushbench {
namespace {

class WebSocketClient final : public WebSocketConnection {
 public:
  using WebSocketConnection::WebSocketConnection;

 private:
  std::string target() const override { return resume_target(); }

  void on_upgraded() override { established(); }

  void on_message(std::string_view text) override {
    EventFields fields;
    if (read_event_fields(text, fields))
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
