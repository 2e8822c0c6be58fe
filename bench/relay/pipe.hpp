#pragma once
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <deque>
#include <vector>

namespace pushbench::relay {

class RelayedConnection;

enum class Direction { down, up };  // down: server to client; up: client to server

// One direction of a relayed connection. Bytes read from `from` are held until their due time
// (arrival + one-way delay ± jitter, never before the bytes ahead of them), then paced to the
// link's bandwidth (they leave when the link would have finished sending them) and written to
// `to`. At most `max_queued_bytes` wait; beyond that the pipe stops reading, as a full link
// pushes back on TCP.
class Pipe {
 public:
  static constexpr std::size_t max_queued_bytes = 1 << 20;

  Pipe(RelayedConnection& owner, Direction direction, boost::asio::ip::tcp::socket& from,
       boost::asio::ip::tcp::socket& to, double bytes_per_s);

  void start() { read(); }
  // A hold on this direction (a stall, a stuck reader) ended: read and send again.
  void resume();
  void cancel() { timer_.cancel(); }

 private:
  void read();
  void on_read(std::vector<char> chunk, std::int64_t arrived_ns);
  void pump();  // writes the head chunk when it is due, or sets the timer for it
  void finish_if_drained();

  struct Chunk {
    std::vector<char> bytes;
    std::int64_t due_ns;
  };

  RelayedConnection& owner_;
  const Direction direction_;
  boost::asio::ip::tcp::socket& from_;
  boost::asio::ip::tcp::socket& to_;
  const double bytes_per_s_;
  const std::size_t read_size_;
  boost::asio::steady_timer timer_;
  std::deque<Chunk> queue_;
  std::size_t queued_bytes_ = 0;
  std::int64_t last_due_ns_ = 0;   // chunks keep their order whatever their jitter
  std::int64_t link_free_ns_ = 0;  // when the link has sent everything before
  std::int64_t timer_due_ns_ = 0;  // what the armed timer waits for; 0 = not armed
  bool reading_ = false;
  bool writing_ = false;
  bool eof_ = false;
};

}  // namespace pushbench::relay
