#include "core/event.hpp"

#include <vector>

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
                      PayloadKind kind, const EventFormat& format) {
  auto event = std::make_shared<EncodedEvent>();
  event->seq = seq;
  event->ts = ts;
  // The object's members, each "key":value: joined compactly for the JSON, one per line for SSE's
  // multi-line form.
  std::vector<std::string> members{"\"seq\":" + std::to_string(seq), "\"ts\":" + std::to_string(ts)};
  std::string& data_member = members.emplace_back("\"data\":");
  if (kind == PayloadKind::binary) {
    data_member += '"' + base64(data) + "\",\"encoding\":\"base64\"";
  } else {
    append_json_string(data_member, data);
  }
  if (!from.empty()) append_json_string(members.emplace_back("\"from\":"), from);
  const std::string type = format.event_types ? "t" + std::to_string(seq % format.event_types) : "";
  if (!type.empty()) members.push_back("\"type\":\"" + type + '"');
  const auto joined = [&](std::string_view head, std::string_view between, std::string_view tail) {
    std::string out(head);
    for (std::size_t i = 0; i < members.size(); ++i) (out += i ? between : "") += members[i];
    return out += tail;
  };
  event->json = joined("{", ",", "}");
  event->sse = sse_event_frame(seq, format.sse_multiline ? joined("{\n  ", ",\n  ", "\n}") : event->json, type);
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
