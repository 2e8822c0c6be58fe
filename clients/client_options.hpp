#pragma once
#include <chrono>
#include <cstdint>
#include <string>

namespace pushbench {

// Everything `pushbench-client` can be told on its command line.
struct ClientOptions {
  std::string technique;
  std::string url;
  std::uint64_t connections = 1;
  std::chrono::nanoseconds duration = std::chrono::seconds(10);
  std::chrono::nanoseconds drain{0};  // after the window: events published in it still count
  std::chrono::nanoseconds warmup = std::chrono::seconds(0);
  std::chrono::nanoseconds poll_interval = std::chrono::seconds(1);
  std::uint64_t threads = 1;
  std::string out = "-";
  double connect_rate = 0;  // new connections per second; 0 = all at once
  std::chrono::nanoseconds timeout = std::chrono::seconds(10);
  std::chrono::nanoseconds long_poll_timeout = std::chrono::seconds(30);
  std::chrono::nanoseconds reconnect_delay = std::chrono::seconds(1);
  std::string transport = "websocket";  // socketio: Engine.IO's websocket or polling transport
  std::string hgrm;                     // HdrHistogram percentile text of the latency, when set
  std::string trace;                    // raw bytes of the first connection, when set
  double send_rate = 0;                 // messages/s each sending connection publishes (broadcast workload)
  std::uint64_t senders = 0;            // how many connections send; 0 = all
  std::uint64_t send_size = 65;         // bytes of each message: websocket-shootout's, no padding
  bool keep_alive = true;               // polls: off asks the server to close after each answer
  bool http_cache_cursor = false;       // polls: the cursor is Last-Modified and Etag (nchan), not since=N

  // TLS, for https:// (and wss://) URLs.
  std::string tls_verify = "system";  // off, system (the system's CAs), or a CA file
  std::string tls_max_version = "1.3";
  bool tls_resumption = true;  // a reconnect offers the session (ticket) of the connection before

  // From the URL: http[s]://HOST:PORT[/PREFIX]
  bool tls = false;
  std::string host;
  std::uint16_t port = 80;
  std::string prefix;

  std::string path(std::string_view endpoint) const { return prefix + std::string(endpoint); }
};

// Parses argv; prints usage and exits 0 on --help, prints one line and exits 2 on a bad flag.
ClientOptions parse_client_options(int argc, char** argv);

}  // namespace pushbench
