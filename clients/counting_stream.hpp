#pragma once
#include <boost/asio/async_result.hpp>
#include <boost/beast/core/role.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket/teardown.hpp>
#include <cstdint>
#include <utility>

#include "clients/trace.hpp"

namespace pushbench {

// Where a connection's socket counts what crosses it.
struct WireTap {
  std::uint64_t* bytes_in = nullptr;
  std::uint64_t* bytes_out = nullptr;
  const bool* counting = nullptr;  // the measured window is open
  Trace* trace = nullptr;          // the first connection only
};

// Counts and traces one read or write of `bytes` bytes of `buffers`.
template <typename Buffers>
void account(const WireTap& tap, bool outgoing, const Buffers& buffers, std::size_t bytes) {
  if (*tap.counting) *(outgoing ? tap.bytes_out : tap.bytes_in) += bytes;
  if (tap.trace) tap.trace->record(outgoing, buffers, bytes);
}

// A stream layer that counts every byte read from and written to the socket below it, and
// traces them when asked: the client's bytes_in/out are what was on the wire above TCP,
// whatever the protocol layer above (Beast HTTP, Beast WebSocket) does.
template <typename Next>
class CountingStream {
 public:
  using executor_type = typename Next::executor_type;
  using next_layer_type = Next;
  using lowest_layer_type = typename Next::socket_type;  // what Asio's TLS stream asks of a layer

  template <typename... Args>
  explicit CountingStream(WireTap tap, Args&&... args) : next_(std::forward<Args>(args)...), tap_(tap) {}

  executor_type get_executor() noexcept { return next_.get_executor(); }
  Next& next_layer() noexcept { return next_; }
  lowest_layer_type& lowest_layer() noexcept { return next_.socket(); }
  const WireTap& tap() const noexcept { return tap_; }

  template <typename Buffers, typename Token>
  auto async_read_some(const Buffers& buffers, Token&& token) {
    return relay(false, buffers, std::forward<Token>(token),
                 [this](const Buffers& b, auto&& done) { next_.async_read_some(b, std::move(done)); });
  }

  template <typename Buffers, typename Token>
  auto async_write_some(const Buffers& buffers, Token&& token) {
    return relay(true, buffers, std::forward<Token>(token),
                 [this](const Buffers& b, auto&& done) { next_.async_write_some(b, std::move(done)); });
  }

 private:
  template <typename Buffers, typename Token, typename Start>
  auto relay(bool outgoing, const Buffers& buffers, Token&& token, Start start) {
    return boost::asio::async_initiate<Token, void(boost::system::error_code, std::size_t)>(
        [this, outgoing, start](auto handler, const Buffers& b) {
          start(b,
                [this, outgoing, b, handler = std::move(handler)](boost::system::error_code ec, std::size_t n) mutable {
                  account(tap_, outgoing, b, n);
                  std::move(handler)(ec, n);
                });
        },
        token, buffers);
  }

  Next next_;
  WireTap tap_;
};

// WebSocket closing goes through to the TCP stream below (found by Beast through ADL).
template <typename Next, typename Handler>
void async_teardown(boost::beast::role_type role, CountingStream<Next>& stream, Handler&& handler) {
  using boost::beast::websocket::async_teardown;
  async_teardown(role, stream.next_layer(), std::forward<Handler>(handler));
}

template <typename Next>
void teardown(boost::beast::role_type role, CountingStream<Next>& stream, boost::system::error_code& ec) {
  using boost::beast::websocket::teardown;
  teardown(role, stream.next_layer(), ec);
}

using WireStream = CountingStream<boost::beast::tcp_stream>;

}  // namespace pushbench
