#pragma once
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>
#include <deque>
#include <optional>
#include <string>

#include "clients/connection.hpp"

namespace pushbench {

// What the WebSocket clients share (the websocket technique, Socket.IO's websocket transport):
// the upgrade to the technique's target, a read loop handing each message to the technique, one
// write in flight with a queue behind it, and a polite close. Beast masks the client's frames,
// answers the server's pings and completes a close.
class WebSocketConnection : public Connection {
 protected:
  using Connection::Connection;

  virtual std::string target() const = 0;  // the upgrade request's target, with any resume cursor
  virtual void on_upgraded() = 0;
  // A text message, or a binary one (`binary`).
  virtual void on_message(std::string_view data, bool binary) = 0;
  void send(std::string text);
  // A broadcast message goes up the WebSocket itself, once it is open; one due while it is not is lost.
  void send_message(std::string text) override;

 private:
  Wire& new_stream() override;
  void on_open() override;
  void close_politely() override;
  void read_next();
  void write_next();

  std::optional<boost::beast::websocket::stream<Wire>> ws_;
  boost::beast::flat_buffer buffer_;
  std::deque<std::string> outgoing_;
  bool writing_ = false;
  bool upgraded_ = false;
  std::uint64_t generation_ = 0;  // of the connection; a replaced one's handlers touch nothing
};

}  // namespace pushbench
