#pragma once
#include <boost/asio/ip/tcp.hpp>
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
  // The thread's wake-up for `due_ns` came: send what is due, unless a later wake-up replaced it.
  void wake(std::int64_t due_ns);

 private:
  void read();
  void read_now();
  void on_read(std::size_t bytes, std::int64_t arrived_ns);
  // Writes the head chunk when it is due, or asks the thread for a wake-up then. `woken`: called
  // by that wake-up, so how late the write starts is the relay's own lateness, and is recorded.
  void pump(bool woken = false);
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
  std::vector<char> read_buffer_;
  std::deque<Chunk> queue_;
  std::size_t queued_bytes_ = 0;
  std::int64_t last_due_ns_ = 0;   // chunks keep their order whatever their jitter
  std::int64_t link_free_ns_ = 0;  // when the link has sent everything before
  std::int64_t wake_due_ns_ = 0;   // the wake-up asked for; 0 = none
  bool reading_ = false;
  bool writing_ = false;
  bool eof_ = false;
};

}  // namespace pushbench::relay
