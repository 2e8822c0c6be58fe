#pragma once
#include <boost/asio/buffer.hpp>
#include <cstdint>
#include <fstream>
#include <string>
#include <string_view>

namespace pushbench {

// The raw bytes of one connection, both directions, with the time since the trace began:
// readable for HTTP and SSE, escaped for WebSocket frames. Capped so a long run stays small.
class Trace {
 public:
  Trace(const std::string& path, const std::string& title);
  bool ok() const { return static_cast<bool>(out_); }

  // One entry per read or write: the first `bytes` bytes of `buffers`.
  template <typename Buffers>
  void record(bool outgoing, const Buffers& buffers, std::size_t bytes) {
    std::string joined(bytes, '\0');
    boost::asio::buffer_copy(boost::asio::buffer(joined), buffers, bytes);
    write(outgoing, joined);
  }

  void note(std::string_view text);  // a line of our own, such as "connect" or "reconnect"

 private:
  void write(bool outgoing, std::string_view bytes);
  double elapsed_ms() const;

  std::ofstream out_;
  std::int64_t start_ns_;
  std::size_t written_ = 0;
};

}  // namespace pushbench
