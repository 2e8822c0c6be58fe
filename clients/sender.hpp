#pragma once
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace pushbench {

class Worker;

// The sending side of one connection in the broadcast workload (--send-rate): message k is due at
// the connection's start + k / rate, open loop (a late message is still timed from when it was
// due, as wrk2 does), and it is websocket-shootout's message carrying that time. The server
// publishes it, under the sender's tag, to every subscriber; when it comes back to this
// connection, its round trip is recorded.
class Sender {
 public:
  using Send = std::function<void(std::string text)>;
  Sender(Worker& worker, std::size_t index, Send send);

  void start();
  void stop() {
    stopped_ = true;
    timer_.cancel();
  }
  const std::string& tag() const { return tag_; }
  // When `event_json` is one of this sender's messages, records its round trip and returns true.
  bool take_echo(std::string_view event_json);

  // websocket-shootout's broadcast message, {"type":"broadcast","payload":{"sendTime":"NS"}} with
  // NS the due time (CLOCK_REALTIME ns), and a "padding" string in the payload making it `size`
  // bytes (JSON spaces after it where a padding field does not fit); never shorter than bare.
  static std::string message(std::int64_t due_ns, std::size_t size);

 private:
  void schedule_next();

  Worker& worker_;
  Send send_;
  std::string tag_;  // the messages' publisher, unique over the run's client processes: pid and index
  boost::asio::steady_timer timer_;
  std::chrono::steady_clock::time_point first_due_;
  std::uint64_t sent_ = 0;
  bool stopped_ = false;
};

}  // namespace pushbench
