#pragma once
#include <chrono>
#include <cstdint>
#include <string>

namespace pushbench::relay {

// What one direction of a link does to the bytes that cross it.
struct LinkProfile {
  std::chrono::nanoseconds one_way{0};       // rtt / 2
  std::chrono::nanoseconds jitter{0};        // each chunk's delay is one_way ± up to this (uniform), order kept
  double down_bytes_per_s = 0;               // server to client; 0 = unlimited
  double up_bytes_per_s = 0;                 // client to server; 0 = unlimited
  std::chrono::nanoseconds stall_length{0};  // a pause of both directions...
  std::chrono::nanoseconds stall_every{0};   // ...at this mean interval (exponential), per connection
};

// Faults the relay injects, all optional.
struct FaultPlan {
  std::chrono::nanoseconds reset_every{0};   // a random live connection gets a TCP RST at this mean interval...
  std::chrono::nanoseconds resets_from{0};   // ...from this long after the relay started...
  std::chrono::nanoseconds resets_until{0};  // ...until this long after it (0: for ever)
  double stuck_readers = 0;                  // this fraction of connections stop reading the server...
  std::chrono::nanoseconds stuck_after{0};   // ...this long after the relay started...
  std::chrono::nanoseconds stuck_for{0};     // ...for this long
};

// Everything `pushbench-relay` can be told on its command line.
struct RelayOptions {
  std::string listen_host = "127.0.0.1";
  std::uint16_t listen_port = 0;
  std::string target_host = "127.0.0.1";
  std::uint16_t target_port = 0;
  std::uint64_t threads = 1;
  std::chrono::nanoseconds duration{0};  // 0 = until SIGINT or SIGTERM
  std::string out = "-";                 // where the final JSON goes
  std::uint64_t seed = 0;                // 0 = from the random device
  LinkProfile link;
  FaultPlan faults;
};

// Parses argv; prints usage and exits 0 on --help, prints one line and exits 2 on a bad flag.
RelayOptions parse_relay_options(int argc, char** argv);

}  // namespace pushbench::relay
