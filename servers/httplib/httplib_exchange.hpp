#pragma once
#include "servers/exchange.hpp"

namespace httplib {
struct Request;
struct Response;
}  // namespace httplib

namespace pushbench {

// A request on the thread-per-connection backend: the handler's thread answers it, blocking as
// long as the answer takes (a held long poll waits on the thread; a stream keeps it).
class HttplibExchange final : public Exchange {
 public:
  HttplibExchange(SharedState& state, const httplib::Request& request, httplib::Response& response);

  SharedState& state() override { return state_; }
  std::string_view method() const override;
  std::string_view target() const override;
  std::string_view header(std::string_view name) const override;
  std::string_view body() const override;

  void answer(Reply reply) override;
  void hold(HeldAnswer held) override;
  void stream(EventStream stream) override;
  void upgrade_websocket(std::optional<std::uint64_t> since, std::string publisher) override;

 private:
  SharedState& state_;
  const httplib::Request& request_;
  httplib::Response& response_;
};

}  // namespace pushbench
