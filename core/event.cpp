#include "core/event.hpp"

#include "core/json.hpp"
#include "core/sse_format.hpp"
#include "core/ws_frame.hpp"

namespace pushbench {

EventPtr encode_event(std::uint64_t seq, std::int64_t ts, std::string_view data, std::string_view from) {
  auto event = std::make_shared<EncodedEvent>();
  event->seq = seq;
  event->ts = ts;
  event->json.reserve(data.size() + 64);
  event->json += "{\"seq\":";
  event->json += std::to_string(seq);
  event->json += ",\"ts\":";
  event->json += std::to_string(ts);
  event->json += ",\"data\":";
  append_json_string(event->json, data);
  if (!from.empty()) {
    event->json += ",\"from\":";
    append_json_string(event->json, from);
  }
  event->json += '}';
  event->sse = sse_event_frame(seq, event->json);
  event->ws = server_frame(0x1, event->json);
  return event;
}

std::string poll_body_tail(std::uint64_t next) { return "],\"next\":" + std::to_string(next) + "}"; }

}  // namespace pushbench
