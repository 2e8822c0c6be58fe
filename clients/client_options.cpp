#include "clients/client_options.hpp"

#include <unistd.h>

#include <iostream>

#include "clients/limits.hpp"
#include "clients/metric_schema.hpp"
#include "clients/techniques/technique.hpp"
#include "core/flags.hpp"
#include "core/units.hpp"

namespace pushbench {
namespace {

[[noreturn]] void fail(std::string_view problem) {
  std::cerr << "pushbench-client: " << problem << "\n";
  std::exit(2);
}

// http[s]://HOST[:PORT][/PREFIX]; ws:// and wss:// are taken as the same server.
void parse_url(ClientOptions& o) {
  std::string_view rest = o.url;
  const auto scheme_end = rest.find("://");
  const std::string_view scheme = rest.substr(0, scheme_end);
  if (scheme_end == std::string_view::npos ||
      (scheme != "http" && scheme != "ws" && scheme != "https" && scheme != "wss"))
    fail("--url: '" + o.url + "' must start with http://, https://, ws:// or wss://");
  rest.remove_prefix(scheme_end + 3);
  o.tls = scheme == "https" || scheme == "wss";
  o.port = o.tls ? 443 : 80;
  const auto slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  o.prefix = slash == std::string_view::npos ? "" : std::string(rest.substr(slash));
  while (o.prefix.ends_with('/')) o.prefix.pop_back();
  std::string_view port_text;
  if (authority.starts_with('[')) {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) fail("--url: unclosed '[' in '" + o.url + "'");
    o.host = authority.substr(1, close - 1);
    if (close + 1 < authority.size() && authority[close + 1] == ':') port_text = authority.substr(close + 2);
  } else {
    const auto colon = authority.rfind(':');
    o.host = authority.substr(0, colon);
    if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
  }
  if (o.host.empty()) fail("--url: no host in '" + o.url + "'");
  if (!port_text.empty()) {
    const auto port = parse_uint(port_text);
    if (!port || *port == 0 || *port > 65535) fail("--url: bad port in '" + o.url + "'");
    o.port = static_cast<std::uint16_t>(*port);
  }
}

}  // namespace

ClientOptions parse_client_options(int argc, char** argv) {
  using namespace std::chrono_literals;
  ClientOptions o;
  std::vector<std::string> names, transports;
  for (const ClientTechnique& t : client_techniques()) names.emplace_back(t.name);
  for (const PeerProtocolInfo& peer : peer_protocol_table()) {
    for (std::string_view words = peer.transports; !words.empty();) {
      const auto end = std::min(words.find(' '), words.size());
      transports.emplace_back(words.substr(0, end));
      words.remove_prefix(std::min(end + 1, words.size()));
    }
  }

  std::string resumption = "on", keep_alive = "on", poll_cursor = "spec";
  Flags flags("pushbench-client", "--technique T --url URL [flags]");
  flags.text("technique", &o.technique, "push technique to subscribe with (required)", names)
      .text("url", &o.url, "server base URL, like http://127.0.0.1:8080 (required)")
      .uint("connections", &o.connections, "connections to open", 1, client_limits::max_connections)
      .duration("duration", &o.duration, "measured window", 1ms, 24h)
      .duration("warmup", &o.warmup, "time after connecting that is received but not counted", 0ms, 24h)
      .duration("drain", &o.drain,
                "after the window, at most this long: the events counted are those published in the window, "
                "received in it or late (a saturated system's tail), until every connection has one published "
                "after it",
                0ms, 1h)
      .duration("poll-interval", &o.poll_interval, "short-poll: interval per connection (0 = back-to-back)", 0ms, 1h)
      .uint("threads", &o.threads, "threads, each with its own event loop and share of the connections", 1,
            client_limits::max_threads)
      .text("out", &o.out, "where the result JSON goes (- = stdout)")
      .decimal("connect-rate", &o.connect_rate, "new connections per second (0 = all at once)", 0,
               client_limits::max_connect_rate)
      .duration("timeout", &o.timeout, "connect, handshake and response timeout", 1ms, 1h)
      .duration("long-poll-timeout", &o.long_poll_timeout, "long-poll: timeout_ms asked of the server", 1ms, 1h)
      .duration("reconnect-delay", &o.reconnect_delay, "wait before reconnecting (SSE: unless the server sent retry)",
                0ms, 1h)
      .text("transport", &o.transport, "a peer protocol's transport (socketio: Engine.IO's)", transports)
      .text("hgrm", &o.hgrm, "write the latency percentile distribution (HdrHistogram text, ms) to this file")
      .text("trace", &o.trace, "write the raw bytes of the first connection, both ways, timestamped, to this file")
      .decimal("send-rate", &o.send_rate,
               "broadcast workload: messages/s each sending connection publishes, timing their round trip (0 = none)",
               0, client_limits::max_send_rate)
      .uint("senders", &o.senders, "with --send-rate: how many of the connections send (0 = all)", 0,
            client_limits::max_connections)
      .uint("send-size", &o.send_size,
            "with --send-rate: bytes of each message, websocket-shootout's with padding (65 without)",
            client_limits::min_send_size, client_limits::max_send_size)
      .text("keep-alive", &keep_alive,
            "polling: off sends each poll on a new connection (Connection: close), as clients without keep-alive do",
            {"on", "off"})
      .text("poll-cursor", &poll_cursor,
            "polling: spec (?since=N, answers {\"events\",\"next\"}) or http-cache (Last-Modified and Etag sent back "
            "as If-Modified-Since and If-None-Match, answers of event lines, 304 when nothing is new: nchan)",
            {"spec", "http-cache"})
      .text(
          "tls-verify", &o.tls_verify,
          "https: check the server's certificate against the system's CAs (system), a CA file (its path), or not (off)")
      .text("tls-max-version", &o.tls_max_version, "https: newest TLS version offered", {"1.2", "1.3"})
      .text("tls-resumption", &resumption, "https: a reconnect resumes the TLS session of the connection before",
            {"on", "off"});
  bool list_techniques = false, list_metrics = false, json = false;
  flags
      .toggle("list-techniques", &list_techniques,
              "print the techniques and peer protocols this client speaks, and exit")
      .toggle("list-metrics", &list_metrics, "print the result's fields (unit, how they merge), and exit")
      .toggle("json", &json, "with --list-techniques or --list-metrics: as JSON (the only form)");
  flags.parse_or_exit(argc, argv);
  if (list_techniques || list_metrics) {
    if (!json) fail("--json: needed with --list-techniques and --list-metrics");
    std::cout << (list_techniques ? technique_table_json() : result_schema_json()) << "\n";
    std::exit(0);
  }
  if (json) fail("--json: only with --list-techniques or --list-metrics");
  if (o.technique.empty()) fail("--technique: required (see --help)");
  if (o.url.empty()) fail("--url: required (see --help)");
  if (o.send_rate > 0 && o.technique == "socketio")
    fail("--send-rate: not with socketio (its messages are Engine.IO packets)");
  parse_url(o);
  o.tls_resumption = resumption == "on";
  o.keep_alive = keep_alive == "on";
  o.http_cache_cursor = poll_cursor == "http-cache";
  if (o.tls_verify != "off" && o.tls_verify != "system" && access(o.tls_verify.c_str(), R_OK) != 0)
    fail("--tls-verify: '" + o.tls_verify + "' is not off, system, or a readable CA file");
  return o;
}

}  // namespace pushbench
