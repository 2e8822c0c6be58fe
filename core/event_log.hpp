#pragma once
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "core/event.hpp"

namespace pushbench {

// The bounded history of recent events that every technique reads from. A ring of at most
// `max_events` events and `max_bytes` of encodings; the oldest are dropped first. Readers ask
// by cursor: "events with seq > since". Not thread-safe: its owner serialises access.
class EventLog {
 public:
  EventLog(std::size_t max_events, std::size_t max_bytes, EventFormat format = {});

  // Assigns the next seq (1, 2, ...), encodes the event once and keeps it.
  const EventPtr& append(std::int64_t ts, std::string_view data, std::string_view from = {},
                         PayloadKind kind = PayloadKind::text);

  // An event numbered elsewhere (a backplane); `seq` must be after last_seq(). The ring holds
  // consecutive seqs, so after a hole it starts again from `seq`.
  const EventPtr& append_at(std::uint64_t seq, std::int64_t ts, std::string_view data, std::string_view from = {},
                            PayloadKind kind = PayloadKind::text);

  std::uint64_t last_seq() const { return next_seq_ - 1; }
  std::uint64_t first_retained_seq() const { return next_seq_ - count_; }
  std::size_t size() const { return count_; }
  std::size_t memory_bytes() const { return bytes_; }

  // Appends to `out`, oldest first, retained events with seq > since: at most `max` of them and,
  // past the first, at most `max_json_bytes` of JSON. A cursor older than the history gets what
  // is retained: the caller sees the hole in seq.
  void read_since(std::uint64_t since, std::size_t max, std::size_t max_json_bytes, std::vector<EventPtr>& out) const;

 private:
  const EventPtr& at(std::uint64_t seq) const;
  void drop_oldest();

  std::vector<EventPtr> ring_;
  std::size_t max_bytes_;
  EventFormat format_;
  std::size_t head_ = 0;   // slot of the oldest retained event
  std::size_t count_ = 0;  // retained events
  std::size_t bytes_ = 0;  // encodings retained
  std::uint64_t next_seq_ = 1;
};

}  // namespace pushbench
