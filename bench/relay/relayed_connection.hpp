#pragma once
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <memory>

#include "bench/relay/pipe.hpp"

namespace pushbench::relay {

class RelayThread;
struct RelayStats;

// A client's connection and the relay's own to the server, with a pipe each way. Owns itself
// through shared_from_this (every pending handler holds it); its thread keeps it in the list
// that resets pick from until it closes.
class RelayedConnection : public std::enable_shared_from_this<RelayedConnection> {
 public:
  RelayedConnection(RelayThread& thread, boost::asio::ip::tcp::socket client, bool stuck);

  void start();
  bool connected() const { return connected_; }  // to the server: both pipes run
  // Both sockets closed with SO_LINGER 0: each peer sees a TCP RST.
  void reset();
  void close();

  // For the pipes.
  std::int64_t one_way_delay_ns();
  std::int64_t held_until_ns(Direction direction) const;
  bool reading_paused(Direction direction) const;
  RelayStats& stats();
  void pipe_finished();
  void wake_at(std::int64_t due_ns, Direction direction);
  void wake(Direction direction, std::int64_t due_ns);

  std::size_t slot = 0;  // its place in the thread's list

 private:
  void plan_next_stall();
  void plan_stuck();

  RelayThread& thread_;
  boost::asio::ip::tcp::socket client_;
  boost::asio::ip::tcp::socket server_;
  Pipe down_;
  Pipe up_;
  boost::asio::steady_timer stall_timer_;
  boost::asio::steady_timer stuck_timer_;
  std::int64_t stalled_until_ns_ = 0;
  std::int64_t stuck_until_ns_ = 0;
  const bool stuck_;
  int pipes_finished_ = 0;
  bool closed_ = false;
  bool connected_ = false;
};

}  // namespace pushbench::relay
