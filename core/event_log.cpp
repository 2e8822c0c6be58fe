#include "core/event_log.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace pushbench {

EventLog::EventLog(std::size_t max_events, std::size_t max_bytes, EventFormat format)
    : ring_(max_events), max_bytes_(max_bytes), format_(format) {
  if (max_events == 0) throw std::invalid_argument("event log needs room for at least one event");
}

const EventPtr& EventLog::append(std::int64_t ts, std::string_view data, std::string_view from, PayloadKind kind) {
  EventPtr event = encode_event(next_seq_, ts, data, from, kind, format_);
  // Keep at least the new event, however large: a publish is never refused for history's sake.
  while (count_ > 0 && (count_ == ring_.size() || bytes_ + event->memory_bytes() > max_bytes_)) drop_oldest();
  const std::size_t slot = (head_ + count_) % ring_.size();
  bytes_ += event->memory_bytes();
  ring_[slot] = std::move(event);
  ++count_;
  ++next_seq_;
  return ring_[slot];
}

const EventPtr& EventLog::append_at(std::uint64_t seq, std::int64_t ts, std::string_view data, std::string_view from,
                                    PayloadKind kind) {
  if (seq <= last_seq() && count_ > 0) throw std::invalid_argument("event log: seq " + std::to_string(seq) + " is old");
  if (seq != next_seq_) {
    while (count_ > 0) drop_oldest();
    next_seq_ = seq;
  }
  return append(ts, data, from, kind);
}

void EventLog::drop_oldest() {
  bytes_ -= ring_[head_]->memory_bytes();
  ring_[head_].reset();
  head_ = (head_ + 1) % ring_.size();
  --count_;
}

const EventPtr& EventLog::at(std::uint64_t seq) const {
  return ring_[(head_ + (seq - first_retained_seq())) % ring_.size()];
}

void EventLog::read_since(std::uint64_t since, std::size_t max, std::size_t max_json_bytes,
                          std::vector<EventPtr>& out) const {
  const std::uint64_t from = std::max(since + 1, first_retained_seq());
  std::size_t bytes = 0;
  for (std::uint64_t seq = from; seq <= last_seq() && max > 0; ++seq, --max) {
    bytes += at(seq)->json.size();
    if (seq > from && bytes > max_json_bytes) break;  // the first always goes, however large
    out.push_back(at(seq));
  }
}

}  // namespace pushbench
