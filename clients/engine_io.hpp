#pragma once
#include <string>
#include <string_view>

#include "core/event_fields.hpp"

namespace pushbench::engine_io {

// Engine.IO v4 / Socket.IO v5 packets as the client reads them, on either transport (one packet
// per WebSocket frame, or several separated by \x1e in a polling body).

// What the client does about one packet. A malformed packet is counted as a protocol error and
// skipped, on both transports.
struct Reaction {
  std::string_view reply;  // a packet to send back ("40" to join, "3" to answer a ping)
  bool joined = false;     // the namespace is joined: events flow from now on
  bool closed = false;     // the server ended the session
  bool malformed = false;
};
constexpr Reaction nothing{"", false, false, false}, joined{"", true, false, false}, closed{"", false, true, false},
    malformed{"", false, false, true}, join{"40", false, false, false}, pong{"3", false, false, false};

// Reads one packet; an event goes to on_event, the session id of an open packet to `sid`.
template <typename OnEvent>
Reaction react(std::string_view packet, std::string& sid, OnEvent&& on_event) {
  if (packet.empty()) return malformed;
  switch (packet[0]) {
    case '0': {  // open: {"sid":"...","pingInterval":...}
      const std::size_t key = packet.find("\"sid\":\"");
      if (key == std::string_view::npos) return malformed;
      const std::size_t start = key + 7, end = packet.find('"', start);
      sid = packet.substr(start, end - start);
      return join;
    }
    case '1':
      return closed;
    case '2':
      return pong;
    case '4':  // message: a Socket.IO packet
      if (packet.size() < 2) return malformed;
      if (packet[1] == '0') return joined;
      if (packet[1] == '1' || packet[1] == '4') return closed;  // disconnect, connect error
      if (packet[1] == '2') {
        EventFields fields;
        if (!read_event_fields(packet.substr(2), fields)) return malformed;
        on_event(fields);
      }
      return nothing;
    default:
      return nothing;  // 6 (noop, sent while upgrading) and what the client has no use for
  }
}

}  // namespace pushbench::engine_io
