#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace pushbench {

// One published event, encoded once per wire format and then shared, immutable, by every
// subscriber of every technique: a broadcast never copies or re-encodes per subscriber.
struct EncodedEvent {
  std::uint64_t seq = 0;
  std::int64_t ts = 0;  // publish time, ns since the Unix epoch (CLOCK_REALTIME)
  std::string json;     // {"seq":N,"ts":T,"data":"..."}: poll bodies, HTTP stream lines
  std::string sse;      // "id: N\ndata: <json>\n\n"
  std::string ws;       // the WebSocket text frame of the json: a 2-10 byte header, then the json

  std::size_t memory_bytes() const { return sizeof(*this) + json.capacity() + sse.capacity() + ws.capacity(); }
};

using EventPtr = std::shared_ptr<const EncodedEvent>;

// Text data goes into the JSON as a string. Binary data goes into it base64-encoded (with
// "encoding":"base64"), and the WebSocket encoding becomes a binary frame: the seq and ts as two
// 8-byte big-endian integers, then the raw bytes.
enum class PayloadKind { text, binary };
inline constexpr std::size_t binary_event_header = 16;

// How every event of a log is written. event_types K > 0: event N is named t<N mod K> (an SSE
// `event:` line, "type" in the JSON). sse_multiline: SSE carries the JSON pretty-printed, a
// member per `data:` line, which the WHATWG parser joins with line breaks.
struct EventFormat {
  std::uint64_t event_types = 0;
  bool sse_multiline = false;
};

// `from`: who published it, when a client did (a WebSocket message, a POST with ?from=): the JSON
// then carries "from" after "data".
EventPtr encode_event(std::uint64_t seq, std::int64_t ts, std::string_view data, std::string_view from = {},
                      PayloadKind kind = PayloadKind::text, const EventFormat& format = {});

// A poll answer, {"events":[E,...],"next":N}: its fixed head, and its tail after the events.
inline constexpr std::string_view poll_body_head = "{\"events\":[";
std::string poll_body_tail(std::uint64_t next);

}  // namespace pushbench
