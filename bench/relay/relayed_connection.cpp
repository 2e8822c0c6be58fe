#include "bench/relay/relayed_connection.hpp"

#include "bench/relay/relay_thread.hpp"
#include "core/clock.hpp"

namespace pushbench::relay {

using boost::asio::ip::tcp;

RelayedConnection::RelayedConnection(RelayThread& thread, tcp::socket client, bool stuck)
    : thread_(thread),
      client_(std::move(client)),
      server_(client_.get_executor()),
      down_(*this, Direction::down, server_, client_, thread.options().link.down_bytes_per_s),
      up_(*this, Direction::up, client_, server_, thread.options().link.up_bytes_per_s),
      stall_timer_(client_.get_executor()),
      stuck_timer_(client_.get_executor()),
      stuck_(stuck) {}

void RelayedConnection::start() {
  server_.async_connect(thread_.target(), [self = shared_from_this(), this](boost::system::error_code ec) {
    if (closed_) return;  // reset or stopped while connecting: counted there
    if (ec) {
      ++stats().target_connect_failures;
      return close();
    }
    connected_ = true;
    boost::system::error_code ignored;
    client_.set_option(tcp::no_delay(true), ignored);
    server_.set_option(tcp::no_delay(true), ignored);
    const int on = 1;  // the kernel's receive time of each read (see Pipe::read_now)
    for (tcp::socket* socket : {&client_, &server_})
      ::setsockopt(socket->native_handle(), SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on);
    down_.start();
    up_.start();
    plan_next_stall();
    if (stuck_) plan_stuck();
  });
}

std::int64_t RelayedConnection::one_way_delay_ns() {
  const LinkProfile& link = thread_.options().link;
  return link.one_way.count() + thread_.uniform_ns(-link.jitter.count(), link.jitter.count());
}

std::int64_t RelayedConnection::held_until_ns(Direction direction) const {
  return direction == Direction::down ? std::max(stalled_until_ns_, stuck_until_ns_) : stalled_until_ns_;
}

bool RelayedConnection::reading_paused(Direction direction) const {
  return direction == Direction::down && monotonic_ns() < stuck_until_ns_;
}

RelayStats& RelayedConnection::stats() { return thread_.stats(); }

void RelayedConnection::plan_next_stall() {
  const LinkProfile& link = thread_.options().link;
  if (link.stall_every.count() == 0 || closed_) return;
  stall_timer_.expires_after(std::chrono::nanoseconds(thread_.exponential_ns(link.stall_every.count())));
  stall_timer_.async_wait([self = shared_from_this(), this, &link](boost::system::error_code ec) {
    if (ec || closed_) return;
    ++stats().stalls;
    stalled_until_ns_ = monotonic_ns() + link.stall_length.count();
    stall_timer_.expires_after(link.stall_length);
    stall_timer_.async_wait([self, this](boost::system::error_code ended) {
      if (ended || closed_) return;
      down_.resume();
      up_.resume();
      plan_next_stall();
    });
  });
}

// A stuck reader stops reading the server for stuck_for, from stuck_after since the relay began.
void RelayedConnection::plan_stuck() {
  const FaultPlan& faults = thread_.options().faults;
  const std::int64_t begin = thread_.started_ns() + faults.stuck_after.count();
  const std::int64_t end = begin + faults.stuck_for.count();
  if (monotonic_ns() >= end) return;
  stuck_timer_.expires_after(std::chrono::nanoseconds(std::max<std::int64_t>(0, begin - monotonic_ns())));
  stuck_timer_.async_wait([self = shared_from_this(), this, end](boost::system::error_code ec) {
    if (ec || closed_) return;
    ++stats().stuck_connections;
    stuck_until_ns_ = end;
    stuck_timer_.expires_after(std::chrono::nanoseconds(std::max<std::int64_t>(0, end - monotonic_ns())));
    stuck_timer_.async_wait([self, this](boost::system::error_code ended) {
      if (!ended && !closed_) down_.resume();
    });
  });
}

void RelayedConnection::wake_at(std::int64_t due_ns, Direction direction) {
  thread_.wake_at(due_ns, shared_from_this(), direction);
}

void RelayedConnection::wake(Direction direction, std::int64_t due_ns) {
  if (!closed_) (direction == Direction::down ? down_ : up_).wake(due_ns);
}

void RelayedConnection::pipe_finished() {
  if (++pipes_finished_ == 2) close();
}

void RelayedConnection::reset() {
  if (closed_) return;
  ++stats().resets;
  boost::system::error_code ignored;
  for (tcp::socket* socket : {&client_, &server_}) {
    if (socket->is_open()) socket->set_option(boost::asio::socket_base::linger(true, 0), ignored);
  }
  close();
}

void RelayedConnection::close() {
  if (closed_) return;
  closed_ = true;
  boost::system::error_code ignored;
  client_.close(ignored);
  server_.close(ignored);
  stall_timer_.cancel();
  stuck_timer_.cancel();
  thread_.forget(*this);
}

}  // namespace pushbench::relay
