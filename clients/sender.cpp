#include "clients/sender.hpp"

#include <unistd.h>

#include <random>

#include "clients/worker.hpp"
#include "core/clock.hpp"
#include "core/event_fields.hpp"

namespace pushbench {

namespace {
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

std::string Sender::message(std::string_view tag, std::int64_t due_ns, std::size_t size) {
  std::string text = std::string(tag) + " " + std::to_string(due_ns) + " ";
  if (text.size() < size) text.append(size - text.size(), '.');
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
    send_(message(tag_, realtime_of(due), worker_.options().send_size));
    schedule_next();
  });
}

bool Sender::take_echo(std::string_view event_json) {
  const std::size_t at = find_key(event_json, "data");
  if (at == std::string_view::npos || at + 1 + tag_.size() + 1 > event_json.size()) return false;
  const std::string_view data = event_json.substr(at + 1);  // after the opening quote
  if (event_json[at] != '"' || data.substr(0, tag_.size()) != tag_ || data[tag_.size()] != ' ') return false;
  std::int64_t due_ns = 0;
  if (!read_integer_at(data, tag_.size() + 1, due_ns)) return false;
  if (worker_.counting()) worker_.metrics().round_trip.record(realtime_ns() - due_ns);
  return true;
}

}  // namespace pushbench
