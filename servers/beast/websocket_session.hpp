#pragma once
#include <boost/asio/steady_timer.hpp>
#include <string>

#include "core/ws_reader.hpp"
#include "servers/beast/stream_session.hpp"

namespace pushbench {

// A WebSocket connection after the upgrade, framed by pushbench itself (RFC 6455): one text frame
// per event, queued frames gathered into one write like any stream's. It reads what the client
// sends through ClientFrameReader: a text message is published to every subscriber (as POST
// /publish would), pings are answered, a close is echoed, a protocol error closes with 1002, a
// message over --ws-max-message with 1009 and text that is not UTF-8 with 1007. After half of --ws-idle-timeout in
// which the client sent nothing it gets a ping, and after the other half it is dropped.
class WebSocketSession final : public StreamSession {
 public:
  // `publisher`: the name its messages are published under; empty for the client's ADDRESS:PORT.
  WebSocketSession(Handover connection, SharedState& state, std::string publisher);

  // `accept_key`: the client's Sec-WebSocket-Key, already checked.
  void start(std::string_view accept_key, std::optional<std::uint64_t> since);

 private:
  void read_frames();
  void read_available();
  void answer(const ClientFrameReader::Frame& frame);
  void arm_idle_check();
  std::string goodbye() override;
  void said_goodbye() override;
  void on_close() override { timer_.cancel(); }

  ClientFrameReader reader_;
  boost::asio::steady_timer timer_;  // the idle check; after the goodbye, the end of the drain
  bool heard_ = false;               // the client sent something since the last idle check
  bool pinged_ = false;
  bool draining_ = false;
  std::string publisher_;  // the `from` of the events this client's messages become
};

}  // namespace pushbench
