#pragma once
#include <chrono>
#include <cstdint>
#include <string>

namespace pushbench {

// Everything `pushbench-server` can be told on its command line; each limit has a sane default.
struct ServerOptions {
  std::string technique;
  std::string bind = "127.0.0.1";
  std::uint64_t port = 8080;
  std::string backend = "beast";
  double rate = 0;  // built-in publisher, events per second; 0 = off
  std::uint64_t payload = 64;
  std::uint64_t threads = 0;  // 0: the backend's default (Beast 1, cpp-httplib its pool size)

  std::uint64_t history = 65536;
  std::uint64_t history_bytes = 256ull << 20;
  std::uint64_t max_connections = 16384;
  std::uint64_t max_header_bytes = 8 << 10;
  std::uint64_t max_body_bytes = 1 << 20;
  std::uint64_t max_queued_events = 1024;  // per subscriber, before it is cut off as too slow
  std::uint64_t max_batch = 1000;           // events in one poll response
  std::chrono::nanoseconds idle_timeout = std::chrono::seconds(30);
  std::chrono::nanoseconds max_long_poll = std::chrono::minutes(2);
  std::chrono::nanoseconds heartbeat = std::chrono::seconds(15);
  std::chrono::nanoseconds sse_retry = std::chrono::seconds(1);
  std::chrono::nanoseconds ws_handshake_timeout = std::chrono::seconds(10);
  std::chrono::nanoseconds ws_idle_timeout = std::chrono::seconds(60);
  std::uint64_t ws_max_message = 64 << 10;
  std::string web_dir = PUSHBENCH_WEB_DIR;  // the live demo's page, served with --technique all

  bool serves(std::string_view technique_name) const { return technique == "all" || technique == technique_name; }
};

// Parses argv; prints usage and exits 0 on --help, prints one line and exits 2 on a bad flag.
ServerOptions parse_server_options(int argc, char** argv);

}  // namespace pushbench
