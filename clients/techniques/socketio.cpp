// Socket.IO v5 over Engine.IO v4, spoken directly, over either transport: `websocket` (one
// Engine.IO packet per frame) or `polling` (HTTP long polls whose bodies hold packets separated by
// \x1e, and POSTs for what the client says). The client joins the default namespace ("40"),
// answers pings ("2" with "3") and counts each "event" (42["event",E]) like the other techniques;
// every packet of the protocol is in the byte counts.
#include "clients/engine_io.hpp"
#include "clients/limits.hpp"
#include "clients/poll_connection.hpp"
#include "clients/techniques/technique.hpp"
#include "clients/websocket_connection.hpp"

namespace pushbench {
namespace {

namespace http = boost::beast::http;

// Counts a packet that is the protocol's own, not an event, in the window.
void count_if_protocol(Worker& worker, std::string_view packet) {
  if (worker.counting() && !packet.starts_with("42")) ++worker.metrics().protocol_messages;
}

class SocketIoWebSocket final : public WebSocketConnection {
 public:
  using WebSocketConnection::WebSocketConnection;

 private:
  std::string target() const override { return endpoint_target("?EIO=4&transport=websocket"); }
  void on_upgraded() override {}  // established when the namespace is joined

  void on_message(std::string_view packet, bool) override {
    count_if_protocol(worker_, packet);
    const engine_io::Reaction reaction = engine_io::react(packet, sid_, [this](const EventFields& f) { on_event(f); });
    if (reaction.closed) return fail(ErrorKind::closed);
    if (reaction.malformed) count_error(ErrorKind::protocol);
    if (reaction.joined) established();
    if (!reaction.reply.empty()) {
      count_if_protocol(worker_, reaction.reply);
      send(std::string(reaction.reply));
    }
  }

  std::string sid_;
};

class SocketIoPolling final : public PollConnection {
 public:
  SocketIoPolling(Worker& worker, std::size_t index) : PollConnection(worker, index) { on_new_connection(); }

 private:
  std::string base() const { return endpoint_target("?EIO=4&transport=polling"); }
  void count_protocol(std::string_view packet) { count_if_protocol(worker_, packet); }

  // Packets POSTed together are separated by \x1e, as in a polling answer.
  void add_reply(std::string& reply, std::string_view packet) {
    if (!reply.empty()) reply += '\x1e';
    reply += packet;
    count_protocol(packet);
  }

  void on_new_connection() override {  // a new Engine.IO session: handshake again
    sid_.clear();
    prepare(base(), worker_.options().timeout);
  }

  // A GET's packets (or a POST's "ok"); then POST what the packets asked for, or GET again.
  void on_answer(std::string_view body) override {
    std::string reply;
    if (body != "ok") {
      for (std::size_t at = 0; at <= body.size();) {
        const std::size_t end = std::min(body.find('\x1e', at), body.size());
        const std::string_view packet = body.substr(at, end - at);
        count_protocol(packet);
        const engine_io::Reaction reaction =
            engine_io::react(packet, sid_, [this](const EventFields& f) { on_event(f); });
        if (reaction.closed) return fail(ErrorKind::closed);
        if (reaction.malformed) count_error(ErrorKind::protocol);
        if (reaction.joined) established();
        if (!reaction.reply.empty()) add_reply(reply, reaction.reply);
        at = end + 1;
      }
    }
    const std::string target = base() + "&sid=" + sid_;
    if (!reply.empty()) return poll(target, worker_.options().timeout, http::verb::post, std::move(reply));
    poll(target, client_limits::engine_io_longest_hold + worker_.options().timeout);
  }

  std::string sid_;
};

}  // namespace

std::shared_ptr<Connection> connect_socketio(Worker& worker, std::size_t index) {
  if (worker.options().transport == "polling") return std::make_shared<SocketIoPolling>(worker, index);
  return std::make_shared<SocketIoWebSocket>(worker, index);
}

}  // namespace pushbench
