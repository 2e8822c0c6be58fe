#include "core/event.hpp"

#include "core/base64.hpp"
#include "core/json.hpp"
#include "core/sse_format.hpp"
#include "core/ws_frame.hpp"

namespace pushbench {

namespace {
void append_big_endian(std::string& out, std::uint64_t value) {
  for (int shift = 56; shift >= 0; shift -= 8) out += static_cast<char>((value >> shift) & 0xff);
}
}  // namespace

EventPtr encode_event(std::uint64_t seq, std::int64_t ts, std::string_view data, std::string_view from,
                      PayloadKind kind) {
  auto event = std::make_shared<EncodedEvent>();
  event->seq = seq;
  event->ts = ts;
  event->json.reserve(data.size() + 64);
  event->json += "{\"seq\":";
  event->json += std::to_string(seq);
  event->json += ",\"ts\":";
  event->json += std::to_string(ts);
  event->json += ",\"data\":";
  if (kind == PayloadKind::binary) {
    event->json += '"' + base64(data) + "\",\"encoding\":\"base64\"";
  } else {
    append_json_string(event->json, data);
  }
  if (!from.empty()) {
    event->json += ",\"from\":";
    append_json_string(event->json, from);
  }
  event->json += '}';
  event->sse = sse_event_frame(seq, event->json);
  if (kind == PayloadKind::binary) {
    std::string body;
    body.reserve(binary_event_header + data.size());
    append_big_endian(body, seq);
    append_big_endian(body, static_cast<std::uint64_t>(ts));
    body += data;
    event->ws = server_frame(0x2, body);
  } else {
    event->ws = server_frame(0x1, event->json);
  }
  return event;
}

std::string poll_body_tail(std::uint64_t next) { return "],\"next\":" + std::to_string(next) + "}"; }

}  // namespace pushbench
