#include "clients/websocket_connection.hpp"

#include "clients/limits.hpp"

namespace pushbench {

namespace websocket = boost::beast::websocket;

Wire& WebSocketConnection::new_stream() {
  emplace_wire(ws_);
  buffer_.clear();
  outgoing_.clear();
  writing_ = false;
  upgraded_ = false;
  ++generation_;
  return ws_->next_layer();
}

void WebSocketConnection::on_open() {
  ws_->next_layer().tcp().expires_never();  // the websocket timeouts take over
  auto timeouts = websocket::stream_base::timeout::suggested(boost::beast::role_type::client);
  timeouts.handshake_timeout = worker_.options().timeout;
  ws_->set_option(timeouts);
  ws_->read_message_max(client_limits::max_answer_bytes);
  if (worker_.counting()) ++worker_.metrics().http_requests;
  ws_->async_handshake(host_header(), target(), [self = shared_from_this(), this](boost::system::error_code ec) {
    if (ec == websocket::error::upgrade_declined) return fail(ErrorKind::http_status);
    if (ec) return fail(classify(ec));
    upgraded_ = true;
    on_upgraded();
    read_next();
  });
}

void WebSocketConnection::read_next() {
  ws_->async_read(buffer_, [self = shared_from_this(), this](boost::system::error_code ec, std::size_t) {
    if (ec) return fail(classify(ec));
    const auto data = buffer_.cdata();
    on_message(std::string_view(static_cast<const char*>(data.data()), data.size()), ws_->got_binary());
    buffer_.consume(buffer_.size());
    read_next();
  });
}

void WebSocketConnection::send(std::string text) {
  outgoing_.push_back(std::move(text));
  if (!writing_) write_next();
}

void WebSocketConnection::send_message(std::string text) {
  if (!upgraded_) {
    if (worker_.counting()) ++worker_.metrics().messages_lost;
    return;
  }
  // A client frame: 2 header bytes (4 from 126 B, 10 from 64 KiB) and the 4-byte mask, then the text.
  const std::size_t header = text.size() < 126 ? 2 : text.size() < 65536 ? 4 : 10;
  if (worker_.counting()) worker_.metrics().upstream_bytes += header + 4 + text.size();
  send(std::move(text));
}

void WebSocketConnection::write_next() {
  writing_ = !outgoing_.empty();
  if (!writing_) return;
  ws_->text(true);
  ws_->async_write(boost::asio::buffer(outgoing_.front()), [self = shared_from_this(), this, generation = generation_](
                                                               boost::system::error_code ec, std::size_t) {
    if (generation != generation_) return;  // a write of a connection since replaced
    if (ec) {                               // the read side reports the failure; what was queued is lost
      if (worker_.counting()) worker_.metrics().messages_lost += outgoing_.size();
      outgoing_.clear();
      writing_ = upgraded_ = false;
      return;
    }
    outgoing_.pop_front();
    write_next();
  });
}

void WebSocketConnection::close_politely() {
  if (ws_ && ws_->is_open()) ws_->async_close(websocket::close_code::normal, [self = shared_from_this()](auto) {});
}

}  // namespace pushbench
