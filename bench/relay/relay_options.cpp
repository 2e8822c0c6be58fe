#include "bench/relay/relay_options.hpp"

#include <cstdio>
#include <cstdlib>

#include "core/flags.hpp"
#include "core/units.hpp"

namespace pushbench::relay {

namespace {

using namespace std::chrono;

// "HOST:PORT" (HOST may be empty for the default); false when it is not one.
bool split_address(const std::string& text, std::string& host, std::uint16_t& port) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos) return false;
  const auto number = parse_uint(std::string_view(text).substr(colon + 1));
  if (!number || *number > 65535) return false;
  if (colon > 0) host = text.substr(0, colon);
  port = static_cast<std::uint16_t>(*number);
  return true;
}

[[noreturn]] void refuse(const std::string& line) {
  std::fprintf(stderr, "pushbench-relay: %s\n", line.c_str());
  std::exit(2);
}

}  // namespace

RelayOptions parse_relay_options(int argc, char** argv) {
  RelayOptions o;
  std::string listen = "127.0.0.1:0", target;
  nanoseconds rtt{0};
  const nanoseconds day = hours(24);
  Flags flags("pushbench-relay",
              "--target HOST:PORT [flags]  (a TCP relay that gives loopback a network's delay, bandwidth and faults)");
  flags.text("listen", &listen, "HOST:PORT to accept clients on (port 0: any free one, printed)")
      .text("target", &target, "HOST:PORT of the server every accepted connection is relayed to")
      .uint("threads", &o.threads, "event-loop threads (each accepts on the port)", 1, 64)
      .duration("rtt", &rtt, "round trip added: each direction holds bytes for half of it", nanoseconds(0), minutes(10))
      .duration("jitter", &o.link.jitter, "each chunk's one-way delay varies by up to this either way", nanoseconds(0),
                minutes(10))
      .decimal("down-bytes-per-s", &o.link.down_bytes_per_s, "server-to-client bandwidth per connection (0: none)", 0,
               1e12)
      .decimal("up-bytes-per-s", &o.link.up_bytes_per_s, "client-to-server bandwidth per connection (0: none)", 0, 1e12)
      .duration("stall-length", &o.link.stall_length, "a pause of both directions (the stand-in for a loss)",
                nanoseconds(0), minutes(10))
      .duration("stall-every", &o.link.stall_every, "mean interval between a connection's stalls (0: none)",
                nanoseconds(0), day)
      .duration("reset-every", &o.faults.reset_every, "mean interval between TCP resets of a random connection",
                nanoseconds(0), day)
      .duration("resets-from", &o.faults.resets_from, "no resets before this long after the start", nanoseconds(0), day)
      .duration("resets-until", &o.faults.resets_until, "no resets after this long after the start (0: none)",
                nanoseconds(0), day)
      .decimal("stuck-readers", &o.faults.stuck_readers, "fraction of connections that stop reading the server", 0, 1)
      .duration("stuck-after", &o.faults.stuck_after, "when they stop, after the relay started", nanoseconds(0), day)
      .duration("stuck-for", &o.faults.stuck_for, "how long they stay stopped", nanoseconds(0), day)
      .duration("duration", &o.duration, "stop after this long (0: at SIGINT or SIGTERM)", nanoseconds(0), day)
      .uint("seed", &o.seed, "random seed for jitter, stalls and resets (0: a random one)", 0, UINT64_MAX)
      .text("out", &o.out, "file for the final JSON (- for stdout)");
  flags.parse_or_exit(argc, argv);
  o.link.one_way = rtt / 2;
  if (target.empty()) refuse("--target: required (HOST:PORT of the server)");
  if (!split_address(target, o.target_host, o.target_port) || o.target_port == 0)
    refuse("--target: '" + target + "' is not HOST:PORT");
  if (!split_address(listen, o.listen_host, o.listen_port)) refuse("--listen: '" + listen + "' is not HOST:PORT");
  if (o.link.jitter > o.link.one_way) refuse("--jitter: larger than half of --rtt (a delay cannot be negative)");
  if ((o.link.stall_length > nanoseconds(0)) != (o.link.stall_every > nanoseconds(0)))
    refuse("--stall-length and --stall-every: give both or neither");
  if (o.faults.stuck_readers > 0 && o.faults.stuck_for == nanoseconds(0))
    refuse("--stuck-for: required with --stuck-readers");
  return o;
}

}  // namespace pushbench::relay
