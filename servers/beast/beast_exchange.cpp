#include "servers/beast/beast_exchange.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "servers/beast/byte_stream_session.hpp"
#include "servers/beast/websocket_session.hpp"

namespace pushbench {
namespace {

// A held answer on the session's strand: the first of a publish with something to answer, the
// timeout and a server stop wins.
class HeldRequest final : public Subscriber, public std::enable_shared_from_this<HeldRequest> {
 public:
  HeldRequest(std::shared_ptr<HttpSession> session, HeldAnswer held)
      : session_(std::move(session)),
        held_(std::move(held)),
        timer_(session_->executor()),
        waiting_(session_->state().stats().long_polls_waiting) {}

  ~HeldRequest() override { session_->state().cancel_wait(this); }

  void start() {
    if (try_answer()) return;
    // A client that leaves is noticed now, not at the timeout: its wait and its slot are freed.
    session_->watch_for_hangup([weak = weak_from_this()] {
      if (auto self = weak.lock(); self && self->finish()) self->session_->close();
    });
    timer_.expires_after(held_.timeout);
    timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (!ec && self->finish()) self->session_->send(self->held_.timed_out());
    });
  }

  void deliver(EventPtr) override {
    boost::asio::post(session_->executor(), [self = shared_from_this()] { self->try_answer(); });
  }

  // The server is stopping: the poll is answered as at its timeout, so the client asks again at
  // once (of the restarted server) with the same cursor.
  void shutdown() override {
    boost::asio::post(session_->executor(), [self = shared_from_this()] {
      if (self->finish()) self->session_->send_last(self->held_.timed_out());
    });
  }

 private:
  bool try_answer() {
    if (done_) return true;
    std::optional<Reply> reply = held_.try_answer(shared_from_this());
    if (!reply) return false;
    if (finish()) session_->send(std::move(*reply));
    return true;
  }

  // Returns whether this call is the one that ends the wait.
  bool finish() {
    if (done_) return false;
    done_ = true;
    timer_.cancel();
    session_->stop_watching();  // before the answer's write starts on the same socket
    session_->state().cancel_wait(this);
    return true;
  }

  std::shared_ptr<HttpSession> session_;
  HeldAnswer held_;
  boost::asio::steady_timer timer_;
  GaugeHold waiting_;
  bool done_ = false;
};

}  // namespace

BeastExchange::BeastExchange(std::shared_ptr<HttpSession> session, Request request)
    : session_(std::move(session)), request_(std::move(request)) {}

std::string_view BeastExchange::header(std::string_view name) const {
  const auto field = request_.find(name);
  return field == request_.end() ? std::string_view{} : std::string_view(field->value());
}

void BeastExchange::hold(HeldAnswer held) { std::make_shared<HeldRequest>(session_, std::move(held))->start(); }

void BeastExchange::stream(EventStream stream) {
  std::make_shared<ByteStreamSession>(session_->take_connection(), session_->state(), std::move(stream))->start();
}

void BeastExchange::upgrade_websocket(std::optional<std::uint64_t> since, std::string publisher) {
  std::make_shared<WebSocketSession>(session_->take_connection(), session_->state(), std::move(publisher))
      ->start(header("Sec-WebSocket-Key"), since);
}

}  // namespace pushbench
