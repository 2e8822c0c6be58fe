#pragma once
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "core/event.hpp"

struct redisContext;
struct redisReply;

namespace pushbench {

// Where a node's events come from when several nodes serve one event stream: a Redis Stream.
// A publish goes to Redis, which numbers it (one Lua script: INCR, then XADD with the seq as the
// entry's id), so every node sees the same seq; a thread of our own tails the stream (XREAD
// BLOCK) and hands each entry, in order, to `deliver`, which appends it to the node's log and
// fans it out. At start the node's log is filled from the stream's newest `history` entries, and
// the stream is trimmed to about as many, so a cursor from any node resumes on any other.
class Backplane {
 public:
  struct Entry {
    std::uint64_t seq;
    std::int64_t ts;
    std::string_view data;
    std::string_view from;
    PayloadKind kind;
  };
  using Deliver = std::function<void(const Entry&)>;

  // url: redis://HOST:PORT/STREAM. Throws CannotStart when Redis cannot be reached or refuses.
  Backplane(const std::string& url, std::uint64_t history, Deliver deliver);
  ~Backplane();  // stops the tail and waits for it
  Backplane(const Backplane&) = delete;
  Backplane& operator=(const Backplane&) = delete;

  // Sends the event to Redis and returns its seq, or 0 when Redis did not take it or its answer
  // was lost (never retried then: it may have been published). Blocks for one round trip;
  // publishers on any thread share one connection, reconnected at the next publish.
  std::uint64_t publish(std::int64_t ts, std::string_view data, std::string_view from, PayloadKind kind);

  // The stream's entries with seq from `first` to `last`, oldest first, at most `max`, each
  // handed to `each` (none when Redis cannot be read). For cursors older than a node's log.
  void read_range(std::uint64_t first, std::uint64_t last, std::size_t max, const Deliver& each);

  // "redis://HOST:PORT/STREAM" -> its parts; false when it is not that.
  struct Address {
    std::string host;
    int port = 0;
    std::string stream;
  };
  static bool parse(std::string_view url, Address& out);

 private:
  using Connection = std::unique_ptr<redisContext, void (*)(redisContext*)>;
  static Connection connect(const Address& address);
  void backfill();  // the stream's newest `history_` entries, oldest first
  void tail();      // the tail thread: XREAD BLOCK from the last id delivered, until stopped
  void deliver_entry(const redisReply* entry);
  static bool read_entry(const redisReply* entry, Entry& out);

  Address address_;
  std::string counter_key_;  // STREAM:seq, the last seq Redis gave out
  std::uint64_t history_;
  Deliver deliver_;
  std::string script_sha_;
  std::mutex publish_mutex_;
  Connection publisher_;
  std::uint64_t last_published_ = 0;  // under publish_mutex_: the seq Redis gave the last publish
  Connection tailer_;
  std::mutex read_mutex_;  // readers of older entries, on any thread, share one connection
  Connection reader_;
  std::atomic<std::uint64_t> last_seq_{0};  // written by the tail thread: the last entry delivered
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace pushbench
