#pragma once
#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/buffers_suffix.hpp>
#include <span>

namespace pushbench {

using Buffers = std::span<const boost::asio::const_buffer>;

// How far one non-blocking write got.
struct FirstWrite {
  boost::system::error_code error;  // a real one; "would block" is not an error here
  std::size_t sent = 0;
  bool complete = false;
};

// Writes as much of `buffers` as the socket takes now, in one system call, without waiting: on a
// socket with room (nearly always) the whole write is done here, with no completion handler to
// allocate, queue and run. The socket must be in non-blocking mode.
inline FirstWrite write_at_once(boost::asio::ip::tcp::socket& socket, Buffers buffers) {
  FirstWrite result;
  result.sent = socket.write_some(buffers, result.error);
  if (result.error == boost::asio::error::would_block) result.error = {};
  result.complete = !result.error && result.sent == boost::asio::buffer_size(buffers);
  return result;
}

// The rest of `buffers` after the first `sent` bytes, when the socket takes it; `handler` gets
// the error and the bytes written in all. `buffers` must outlive the write.
template <typename Handler>
void write_rest(boost::asio::ip::tcp::socket& socket, Buffers buffers, std::size_t sent, Handler handler) {
  boost::beast::buffers_suffix<Buffers> rest(buffers);
  rest.consume(sent);
  boost::asio::async_write(
      socket, rest, [sent, handler = std::move(handler)](boost::system::error_code ec, std::size_t bytes) mutable {
        handler(ec, sent + bytes);
      });
}

}  // namespace pushbench
