#include "clients/sender.hpp"

#include <unistd.h>

#include <random>

#include "clients/worker.hpp"
#include "core/clock.hpp"
#include "core/event_fields.hpp"
#include "core/json.hpp"

namespace pushbench {

namespace {
constexpr std::string_view message_head = "{\"type\":\"broadcast\",\"payload\":{\"sendTime\":\"";

// The head as the event's "data" string carries it, quotes escaped.
const std::string& escaped_message_head() {
  static const std::string head = [] {
    std::string quoted;
    append_json_string(quoted, message_head);
    return quoted.substr(1, quoted.size() - 2);
  }();
  return head;
}

// The JSON string at `at` (a position after its key's colon) equals `text`, which has no escapes.
bool string_at_is(std::string_view json, std::size_t at, std::string_view text) {
  return at != std::string_view::npos && json.substr(at).size() >= text.size() + 2 && json[at] == '"' &&
         json.substr(at + 1, text.size()) == text && json[at + 1 + text.size()] == '"';
}

// A steady-clock time as CLOCK_REALTIME nanoseconds, which the receiving side compares with.
std::int64_t realtime_of(std::chrono::steady_clock::time_point at) {
  const auto from_now = at - std::chrono::steady_clock::now();
  return realtime_ns() + std::chrono::duration_cast<std::chrono::nanoseconds>(from_now).count();
}
}  // namespace

Sender::Sender(Worker& worker, std::size_t index, Send send)
    : worker_(worker),
      send_(std::move(send)),
      tag_("p" + std::to_string(::getpid()) + "c" + std::to_string(index)),
      timer_(worker.ioc()) {
  // Each sender starts at a random point of one interval: the server's load is even, and the
  // phase owes nothing to the connection's index, which also places a short poll's schedule.
  thread_local std::mt19937_64 random(std::random_device{}());
  const double interval_s = 1.0 / worker.options().send_rate;
  const double phase = std::uniform_real_distribution<double>(0.0, 1.0)(random);
  first_due_ =
      std::chrono::steady_clock::now() + std::chrono::nanoseconds(static_cast<std::int64_t>(interval_s * phase * 1e9));
}

std::string Sender::message(std::int64_t due_ns, std::size_t size) {
  std::string text = std::string(message_head) + std::to_string(due_ns) + "\"";
  constexpr std::string_view padding_open = ",\"padding\":\"", close_string_and_objects = "\"}}";
  const std::size_t bare = text.size() + 2, padded = bare + padding_open.size() + 1;
  if (size >= padded)
    text.append(padding_open).append(size - padded, '.').append(close_string_and_objects);
  else
    text.append("}}").append(size > bare ? size - bare : 0, ' ');
  return text;
}

void Sender::start() { schedule_next(); }

void Sender::schedule_next() {
  const auto due = first_due_ + std::chrono::nanoseconds(static_cast<std::int64_t>(static_cast<double>(sent_) * 1e9 /
                                                                                   worker_.options().send_rate));
  timer_.expires_at(due);
  timer_.async_wait([this, due](boost::system::error_code ec) {
    if (ec || stopped_) return;
    ++sent_;
    if (worker_.counting()) ++worker_.metrics().messages_sent;
    send_(message(realtime_of(due), worker_.options().send_size));
    schedule_next();
  });
}

bool Sender::take_echo(std::string_view event_json) {
  if (!string_at_is(event_json, find_key(event_json, "from"), tag_)) return false;
  const std::size_t at = find_key(event_json, "data");
  const std::string& head = escaped_message_head();
  if (at == std::string_view::npos || event_json.substr(at).size() < 1 + head.size()) return false;
  const std::string_view data = event_json.substr(at + 1);  // after the opening quote
  std::int64_t due_ns = 0;
  if (event_json[at] != '"' || data.substr(0, head.size()) != head || !read_integer_at(data, head.size(), due_ns))
    return false;
  if (worker_.counting()) worker_.metrics().round_trip.record(realtime_ns() - due_ns);
  return true;
}

}  // namespace pushbench
