#include "servers/backplane.hpp"

#include <hiredis.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstring>
#include <iostream>

#include "servers/tls_context.hpp"  // CannotStart

namespace pushbench {
namespace {

// Numbers and appends in one step, so the stream's order is the seqs' order whoever publishes.
// ARGV[6], the highest seq the publishing node has seen or been given, is a floor: a Redis that
// lost its data (restarted without persistence) goes on numbering above it instead of from 1,
// which the nodes would skip.
constexpr const char* publish_script =
    "local seq = redis.call('INCR', KEYS[2]) "
    "if seq <= tonumber(ARGV[6]) then seq = tonumber(ARGV[6]) + 1 redis.call('SET', KEYS[2], seq) end "
    "redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[5], seq .. '-0', "
    "'ts', ARGV[1], 'kind', ARGV[2], 'from', ARGV[3], 'data', ARGV[4]) "
    "return seq";
constexpr int tail_block_ms = 500;        // how long a tail read waits: also how soon a stop is seen
constexpr std::size_t tail_batch = 1000;  // entries per tail read
constexpr timeval connect_timeout{2, 0};
constexpr timeval command_timeout{5, 0};  // beyond the tail's block
constexpr auto reconnect_delay = std::chrono::milliseconds(200);

using Reply = std::unique_ptr<redisReply, void (*)(void*)>;

Reply command(redisContext* c, const char* format, ...) {
  va_list args;
  va_start(args, format);
  void* reply = redisvCommand(c, format, args);
  va_end(args);
  return Reply(static_cast<redisReply*>(reply), freeReplyObject);
}

std::string_view text(const redisReply* r) {
  return r->type == REDIS_REPLY_STRING ? std::string_view(r->str, r->len) : "";
}

template <typename Number>
Number number(std::string_view digits) {
  Number value{};
  std::from_chars(digits.data(), digits.data() + digits.size(), value);
  return value;
}

}  // namespace

bool Backplane::parse(std::string_view url, Address& out) {
  constexpr std::string_view scheme = "redis://";
  if (!url.starts_with(scheme)) return false;
  url.remove_prefix(scheme.size());
  const std::size_t colon = url.find(':'), slash = url.find('/');
  if (colon == 0 || colon == std::string_view::npos || slash == std::string_view::npos || slash < colon) return false;
  const std::string_view port = url.substr(colon + 1, slash - colon - 1);
  const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), out.port);
  if (ec != std::errc{} || end != port.data() + port.size() || out.port < 1 || out.port > 65535) return false;
  out.host = url.substr(0, colon);
  out.stream = url.substr(slash + 1);
  return !out.stream.empty() && out.stream.find_first_of(" /") == std::string::npos;
}

Backplane::Connection Backplane::connect(const Address& address) {
  Connection c(redisConnectWithTimeout(address.host.c_str(), address.port, connect_timeout), redisFree);
  if (!c || c->err) {
    throw CannotStart("--backplane: cannot reach Redis at " + address.host + ":" + std::to_string(address.port) + ": " +
                      (c ? c->errstr : "out of memory"));
  }
  redisSetTimeout(c.get(), command_timeout);
  return c;
}

Backplane::Backplane(const std::string& url, std::uint64_t history, Deliver deliver)
    : history_(history),
      deliver_(std::move(deliver)),
      publisher_(nullptr, redisFree),
      tailer_(nullptr, redisFree),
      reader_(nullptr, redisFree) {
  if (!parse(url, address_)) throw CannotStart("--backplane: '" + url + "' is not redis://HOST:PORT/STREAM");
  counter_key_ = address_.stream + ":seq";
  publisher_ = connect(address_);
  tailer_ = connect(address_);
  const Reply loaded = command(publisher_.get(), "SCRIPT LOAD %s", publish_script);
  if (!loaded || loaded->type != REDIS_REPLY_STRING) {
    throw CannotStart("--backplane: Redis refused the publish script: " +
                      std::string(loaded ? loaded->str : publisher_->errstr));
  }
  script_sha_ = text(loaded.get());
  backfill();
  thread_ = std::thread([this] { tail(); });
}

Backplane::~Backplane() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
}

std::uint64_t Backplane::publish(std::int64_t ts, std::string_view data, std::string_view from, PayloadKind kind) {
  const char* kind_name = kind == PayloadKind::binary ? "binary" : "text";
  std::lock_guard lock(publish_mutex_);
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (!publisher_ || publisher_->err) {
      try {
        publisher_ = connect(address_);
      } catch (const CannotStart&) {
        return 0;
      }
    }
    const Reply seq =
        command(publisher_.get(), "EVALSHA %s 2 %s %s %lld %s %b %b %llu %llu", script_sha_.c_str(),
                address_.stream.c_str(), counter_key_.c_str(), static_cast<long long>(ts), kind_name, from.data(),
                from.size(), data.data(), data.size(), static_cast<unsigned long long>(history_),
                static_cast<unsigned long long>(std::max(last_seq_.load(), last_published_)));
    if (seq && seq->type == REDIS_REPLY_INTEGER) {
      last_published_ = static_cast<std::uint64_t>(seq->integer);
      return last_published_;
    }
    // Only a NOSCRIPT answer says the event was not published; after a lost answer it may have
    // been, and a retry would publish it twice under two seqs: the publisher is told it failed.
    if (!seq || seq->type != REDIS_REPLY_ERROR || !std::string_view(seq->str).starts_with("NOSCRIPT")) return 0;
    command(publisher_.get(), "SCRIPT LOAD %s", publish_script);  // Redis restarted: load it again
  }
  return 0;
}

void Backplane::backfill() {
  const Reply newest = command(tailer_.get(), "XREVRANGE %s + - COUNT %llu", address_.stream.c_str(),
                               static_cast<unsigned long long>(history_));
  if (!newest || newest->type != REDIS_REPLY_ARRAY) {
    throw CannotStart("--backplane: cannot read the stream " + address_.stream);
  }
  for (std::size_t i = newest->elements; i-- > 0;) deliver_entry(newest->element[i]);  // oldest first
}

void Backplane::tail() {
  bool reported = false;
  while (!stopping_) {
    if (!tailer_ || tailer_->err) {
      try {
        tailer_ = connect(address_);
        reported = false;
      } catch (const CannotStart& error) {
        if (!reported) std::cerr << "pushbench-server: " << error.what() << "; retrying\n";
        reported = true;
        std::this_thread::sleep_for(reconnect_delay);
        continue;
      }
    }
    const std::string after = std::to_string(last_seq_) + "-0";
    const Reply read =
        command(tailer_.get(), "XREAD COUNT %llu BLOCK %d STREAMS %s %s", static_cast<unsigned long long>(tail_batch),
                tail_block_ms, address_.stream.c_str(), after.c_str());
    if (read && read->type == REDIS_REPLY_ARRAY && read->elements == 1 && read->element[0]->elements == 2) {
      const redisReply* entries = read->element[0]->element[1];  // [[stream, [entry, ...]]]
      for (std::size_t i = 0; i < entries->elements; ++i) deliver_entry(entries->element[i]);
    }
  }
}

void Backplane::read_range(std::uint64_t first, std::uint64_t last, std::size_t max, const Deliver& each) {
  std::lock_guard lock(read_mutex_);
  if (!reader_ || reader_->err) {
    try {
      reader_ = connect(address_);
    } catch (const CannotStart&) {
      return;
    }
  }
  const Reply range = command(reader_.get(), "XRANGE %s %llu-0 %llu-0 COUNT %llu", address_.stream.c_str(),
                              static_cast<unsigned long long>(first), static_cast<unsigned long long>(last),
                              static_cast<unsigned long long>(max));
  if (!range || range->type != REDIS_REPLY_ARRAY) return;
  for (std::size_t i = 0; i < range->elements; ++i) {
    if (Entry e{}; read_entry(range->element[i], e)) each(e);
  }
}

// One entry, [id, [field, value, ...]]; its views point into the reply.
bool Backplane::read_entry(const redisReply* entry, Entry& e) {
  if (entry->type != REDIS_REPLY_ARRAY || entry->elements != 2) return false;
  const std::string_view id = text(entry->element[0]);
  e = Entry{.seq = number<std::uint64_t>(id.substr(0, id.find('-'))),
            .ts = 0,
            .data = {},
            .from = {},
            .kind = PayloadKind::text};
  const redisReply* fields = entry->element[1];
  for (std::size_t f = 0; f + 1 < fields->elements; f += 2) {
    const std::string_view name = text(fields->element[f]), value = text(fields->element[f + 1]);
    if (name == "ts") e.ts = number<std::int64_t>(value);
    if (name == "data") e.data = value;
    if (name == "from") e.from = value;
    if (name == "kind" && value == "binary") e.kind = PayloadKind::binary;
  }
  return e.seq > 0;
}

// An entry of the tail; one at or before the last delivered is skipped.
void Backplane::deliver_entry(const redisReply* entry) {
  Entry e{};
  if (!read_entry(entry, e) || e.seq <= last_seq_) return;
  last_seq_ = e.seq;
  deliver_(e);
}

}  // namespace pushbench
