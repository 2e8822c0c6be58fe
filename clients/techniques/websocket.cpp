// WebSocket: the upgrade handshake, then one text frame per event. Beast masks the client's
// frames, answers the server's pings and completes a close; a reconnect resumes with ?since.
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>

#include "clients/connection.hpp"
#include "clients/limits.hpp"
#include "clients/techniques/technique.hpp"

namespace pushbench {
namespace {

namespace websocket = boost::beast::websocket;

class WebSocketClient final : public Connection {
 public:
  using Connection::Connection;

 private:
  void close_politely() override {
    if (ws_ && ws_->is_open()) ws_->async_close(websocket::close_code::normal, [self = shared_from_this()](auto) {});
  }

  boost::beast::tcp_stream& new_stream() override {
    ws_.emplace(tap(), worker_.ioc());
    buffer_.clear();
    return ws_->next_layer().next_layer();
  }

  void on_open() override {
    ws_->next_layer().next_layer().expires_never();  // the websocket timeouts take over
    websocket::stream_base::timeout timeouts =
        websocket::stream_base::timeout::suggested(boost::beast::role_type::client);
    timeouts.handshake_timeout = worker_.options().timeout;
    ws_->set_option(timeouts);
    ws_->read_message_max(client_limits::max_answer_bytes);
    std::string target = endpoint_target();
    if (const auto seq = last_seq()) target += "?since=" + std::to_string(*seq);
    if (worker_.counting()) ++worker_.metrics().http_requests;
    ws_->async_handshake(host_header(), target, [self = shared_from_this(), this](boost::system::error_code ec) {
      if (ec == websocket::error::upgrade_declined) return fail(ErrorKind::http_status);
      if (ec) return fail(classify(ec));
      established();
      read_next();
    });
  }

  void read_next() {
    ws_->async_read(buffer_, [self = shared_from_this(), this](boost::system::error_code ec, std::size_t) {
      if (ec) return fail(classify(ec));
      const auto data = buffer_.cdata();
      EventFields fields;
      if (read_event_fields(std::string_view(static_cast<const char*>(data.data()), data.size()), fields))
        on_event(fields);
      else
        count_error(ErrorKind::protocol);
      buffer_.consume(buffer_.size());
      read_next();
    });
  }

  std::optional<websocket::stream<WireStream>> ws_;
  boost::beast::flat_buffer buffer_;
};

}  // namespace

std::shared_ptr<Connection> connect_websocket(Worker& worker, std::size_t index) {
  return std::make_shared<WebSocketClient>(worker, index);
}

}  // namespace pushbench
