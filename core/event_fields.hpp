#pragma once
#include <cstdint>
#include <string_view>

namespace pushbench {

// What a client needs from an event, found without building a JSON tree: the numbers after the
// "seq" and "ts" keys. A key cannot appear inside a JSON string, whose quotes are escaped.
struct EventFields {
  std::uint64_t seq = 0;
  std::int64_t ts = 0;
  std::string_view json;  // the whole event object, valid while the caller holds it
  std::string_view name;  // the event's name where the framing carries one (SSE's event: line)
};

// Reads seq and ts from one event object, any key order; false when either is missing.
bool read_event_fields(std::string_view json, EventFields& out);

// Reads seq and ts from a binary event's WebSocket message (two 8-byte big-endian integers, then
// the data; see PayloadKind); false when it is shorter than that.
bool read_binary_event(std::string_view message, EventFields& out);

// The position just after `"key":` at or after `from`, skipping matches inside strings; npos if none.
std::size_t find_key(std::string_view json, std::string_view key, std::size_t from = 0);

// The integer at `at` (after optional spaces); false at npos or when there is none.
bool read_integer_at(std::string_view json, std::size_t at, std::int64_t& out);

// In an array that starts at `from`'s '[' or continues after an element: finds the next object,
// sets `object` to it and returns the position after it; npos at the array's end or on bad input.
std::size_t next_array_object(std::string_view json, std::size_t from, std::string_view& object);

// Calls on_event(EventFields) for each event of a poll body {"events":[...],"next":M} and sets
// `next` to M; false when the body is not of that shape.
template <typename OnEvent>
bool read_poll_body(std::string_view body, std::uint64_t& next, OnEvent&& on_event) {
  std::size_t at = find_key(body, "events");
  if (at == std::string_view::npos) return false;
  std::string_view object;
  while ((at = next_array_object(body, at, object)) != std::string_view::npos) {
    EventFields fields;
    if (!read_event_fields(object, fields)) return false;
    on_event(fields);
  }
  std::int64_t cursor = 0;
  if (!read_integer_at(body, find_key(body, "next"), cursor) || cursor < 0) return false;
  next = static_cast<std::uint64_t>(cursor);
  return true;
}

}  // namespace pushbench
