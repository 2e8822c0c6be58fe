#pragma once
#include <memory>

#include "servers/beast/http_session.hpp"
#include "servers/exchange.hpp"

namespace pushbench {

// A request on the event-loop backend: answers go out through the HTTP session; a held answer
// waits on the session's strand; a stream or a WebSocket takes the connection over.
class BeastExchange final : public Exchange {
 public:
  BeastExchange(std::shared_ptr<HttpSession> session, Request request);

  SharedState& state() override { return session_->state(); }
  std::string_view method() const override { return request_.method_string(); }
  std::string_view target() const override { return request_.target(); }
  std::string_view header(std::string_view name) const override;
  std::string_view body() const override { return request_.body(); }

  void answer(Reply reply) override { session_->send(std::move(reply)); }
  void hold(HeldAnswer held) override;
  void stream(EventStream stream) override;
  void upgrade_websocket(std::optional<std::uint64_t> since, std::string publisher) override;

 private:
  std::shared_ptr<HttpSession> session_;
  Request request_;
};

}  // namespace pushbench
