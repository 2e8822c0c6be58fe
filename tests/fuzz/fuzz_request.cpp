// The server's request path end to end: bytes through Beast's HTTP parser (with the server's
// header and body limits) to the router, every technique and the reply on the wire. An exchange
// that records instead of writing stands in for the connection.
#include <boost/beast/http.hpp>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "servers/router.hpp"

using namespace pushbench;
namespace http = boost::beast::http;

namespace {

class RecordingExchange final : public Exchange {
 public:
  RecordingExchange(SharedState& state, const http::request<http::string_body>& request)
      : state_(state), request_(request) {}

  SharedState& state() override { return state_; }
  std::string_view method() const override { return request_.method_string(); }
  std::string_view target() const override { return request_.target(); }
  std::string_view header(std::string_view name) const override {
    const auto field = request_.find(name);
    return field == request_.end() ? std::string_view{} : std::string_view(field->value());
  }
  std::string_view body() const override { return request_.body(); }

  void answer(Reply reply) override {
    if (reply.status() < 200 || reply.status() > 599) std::abort();
    std::vector<boost::asio::const_buffer> buffers;
    reply.buffers(true, buffers);
    for (const auto& buffer : buffers) bytes_ += buffer.size();
  }
  void hold(HeldAnswer held) override {
    auto waiter = std::make_shared<NoWaiter>();
    if (auto reply = held.try_answer(waiter)) return answer(std::move(*reply));
    state_.cancel_wait(waiter.get());
    answer(held.timed_out());
  }
  void stream(EventStream stream) override {
    if (!stream.encoding || stream.content_type.empty()) std::abort();
  }
  void upgrade_websocket(std::optional<std::uint64_t>, std::string) override {}

 private:
  struct NoWaiter final : Subscriber {
    void deliver(EventPtr) override {}
    void shutdown() override {}
  };
  SharedState& state_;
  const http::request<http::string_body>& request_;
  std::size_t bytes_ = 0;
};

ServerOptions fuzz_options() {
  ServerOptions options;
  options.technique = "all";
  options.history = 64;
  options.web_dir = "/nonexistent";  // the demo's files are not what is fuzzed
  return options;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static SharedState state(fuzz_options());
  http::request_parser<http::string_body> parser;
  parser.header_limit(static_cast<std::uint32_t>(state.options().max_header_bytes));
  parser.body_limit(state.options().max_body_bytes);
  parser.eager(true);
  boost::beast::error_code ec;
  parser.put(boost::asio::buffer(data, size), ec);
  if (ec || !parser.is_done()) return 0;  // the session answers 400, 413 or 431 before routing
  const auto request = parser.release();
  RecordingExchange exchange(state, request);
  route(exchange);
  return 0;
}
