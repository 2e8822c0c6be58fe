#pragma once
#include <span>
#include <string>
#include <string_view>

namespace pushbench {

// The push techniques, declared once. Both programs read this table; the harness, verify, the
// report and the demo page read it through `pushbench-server --list-techniques --json`.
// A row: ROW(identifier, name, endpoint, on_beast, on_httplib, polls_on_interval, how_it_resumes,
// summary); polls_on_interval: the client asks on --poll-interval rather than waiting.
// The identifier names each side's code: serve_<identifier> (servers/techniques/) and
// connect_<identifier> (clients/techniques/). Adding a technique: see docs/extending.md.
#define PUSHBENCH_TECHNIQUES(ROW)                                                                            \
  ROW(short_poll, "short-poll", "/poll", true, true, true, "since=N, the last answer's next",                \
      "Ajax short polling: the client asks on a schedule and gets what is new at once, possibly nothing")    \
  ROW(long_poll, "long-poll", "/long-poll", true, true, false, "since=N, the last answer's next",            \
      "HTTP long polling: the request is held until an event after the cursor exists or the timeout passes") \
  ROW(sse, "sse", "/sse", true, true, false, "the Last-Event-ID header (EventSource sends it), or since=N",  \
      "Server-Sent Events: one long text/event-stream response, an id: and data: frame per event")           \
  ROW(websocket, "websocket", "/ws", true, false, false, "since=N on the upgrade request",                   \
      "WebSocket: an HTTP Upgrade, then one text frame per event on a full-duplex connection")               \
  ROW(http_stream, "http-stream", "/stream", true, true, false, "since=N on the new request",                \
      "HTTP streaming: one long response of newline-delimited JSON events, no SSE framing (what fetch() reads)")

// Protocols that pushbench-client speaks to servers that are not ours (framework peers), over
// one of their transports. ROW(identifier, name, endpoint, transports, summary).
#define PUSHBENCH_PEER_PROTOCOLS(ROW)                           \
  ROW(socketio, "socketio", "/socket.io/", "websocket polling", \
      "Socket.IO v5 over Engine.IO v4: io.emit(\"event\", E) on the default namespace")

struct TechniqueInfo {
  std::string_view name;  // --technique, scenarios, results
  std::string_view path;
  bool on_beast;    // served by the event-loop backend
  bool on_httplib;  // served by the thread-per-connection backend
  bool polls_on_interval;
  std::string_view resumes_with;
  std::string_view summary;

  bool served_on(std::string_view backend) const;
};

struct PeerProtocolInfo {
  std::string_view name;
  std::string_view path;
  std::string_view transports;  // space-separated
  std::string_view summary;
};

std::span<const TechniqueInfo> technique_table();
std::span<const PeerProtocolInfo> peer_protocol_table();
const TechniqueInfo* find_technique(std::string_view name);

// {"techniques":[{"name":..,"path":..,"backends":[..],"resumes_with":..,"summary":..}],
//  "peer_protocols":[{"name":..,"path":..,"transports":[..],"summary":..}]}
std::string technique_table_json();

}  // namespace pushbench
