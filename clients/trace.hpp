#pragma once
#include <boost/asio/buffer.hpp>
#include <cstdint>
#include <fstream>
#include <string>

namespace pushbench {

// The raw bytes of one connection, both directions, with the time since the trace began:
// readable for HTTP and SSE, escaped for WebSocket frames. Capped so a long run stays small.
class Trace {
 public:
  Trace(const std::string& path, const std::string& title);
  bool ok() const { return static_cast<bool>(out_); }

  template <typename Buffers>
  void record(bool outgoing, const Buffers& buffers, std::size_t bytes) {
    for (auto it = boost::asio::buffer_sequence_begin(buffers); bytes > 0 && it != boost::asio::buffer_sequence_end(buffers); ++it) {
      const boost::asio::const_buffer b(*it);
      const std::size_t n = std::min(bytes, b.size());
      write(outgoing, std::string_view(static_cast<const char*>(b.data()), n));
      bytes -= n;
    }
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
