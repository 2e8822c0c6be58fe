#pragma once
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "servers/limits.hpp"
#include "servers/tls_context.hpp"

namespace pushbench {

// The demo's files: web/ of the tree the program runs from (<tree>/build/bin/pushbench-server), the
// source tree's or an installed one's; else the source tree it was built from.
std::string default_web_dir();

// Everything `pushbench-server` can be told on its command line; the defaults are in limits.hpp.
struct ServerOptions {
  std::string technique;
  std::string bind = "127.0.0.1";
  std::uint64_t port = limits::default_port;
  std::string backend = "beast";
  double rate = 0;  // built-in publisher, events per second; 0 = off
  std::uint64_t payload = limits::default_payload;
  std::string payload_kind = "text";  // the built-in publisher's data: text or binary
  std::uint64_t event_types = 0;      // K > 0: event N is named t<N mod K>
  bool sse_multiline = false;         // SSE data pretty-printed over several lines
  std::uint64_t threads = 0;          // 0: the backend's default (Beast 1, cpp-httplib its pool size)

  std::uint64_t history = limits::default_history_events;
  std::uint64_t history_bytes = limits::default_history_bytes;
  std::uint64_t max_connections = limits::default_max_connections;
  std::uint64_t max_header_bytes = limits::default_max_header_bytes;
  std::uint64_t max_body_bytes = limits::default_max_body_bytes;
  std::uint64_t max_queued_events = limits::default_max_queued_events;
  std::uint64_t max_queued_bytes = limits::default_max_queued_bytes;
  std::uint64_t max_batch = limits::default_max_batch;
  std::uint64_t max_batch_bytes = limits::default_max_batch_bytes;
  std::chrono::nanoseconds idle_timeout = limits::default_idle_timeout;
  std::chrono::nanoseconds max_long_poll = limits::default_max_long_poll;
  std::chrono::nanoseconds heartbeat = limits::default_heartbeat;
  std::chrono::nanoseconds sse_retry = limits::default_sse_retry;
  std::chrono::nanoseconds ws_handshake_timeout = limits::default_ws_handshake_timeout;
  std::chrono::nanoseconds ws_idle_timeout = limits::default_ws_idle_timeout;
  std::uint64_t ws_max_message = limits::default_ws_max_message;
  // Browsers' origins allowed to open a WebSocket (`scheme://host[:port]`); empty: any. A request
  // without Origin is not a browser's, and is let in.
  std::vector<std::string> allowed_origins;
  std::string backplane;  // redis://HOST:PORT/STREAM: events numbered and shared by Redis (servers/backplane.hpp)
  TlsOptions tls;
  std::chrono::nanoseconds tls_handshake_timeout = limits::default_tls_handshake_timeout;
  std::string web_dir = default_web_dir();  // the live demo's page, served with --technique all

  bool serves(std::string_view technique_name) const { return technique == "all" || technique == technique_name; }
  bool origin_allowed(std::string_view origin) const;
};

// Parses argv; prints usage and exits 0 on --help (and prints the technique table on
// --list-techniques); prints one line and exits 2 on a bad flag.
ServerOptions parse_server_options(int argc, char** argv);

}  // namespace pushbench
