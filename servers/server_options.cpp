#include "servers/server_options.hpp"

#include <boost/asio/ip/address.hpp>
#include <filesystem>
#include <iostream>

#include "core/ascii.hpp"
#include "core/flags.hpp"
#include "core/techniques.hpp"
#include "servers/backends.hpp"
#include "servers/backplane.hpp"

namespace pushbench {
namespace {

[[noreturn]] void fail(std::string_view problem) {
  std::cerr << "pushbench-server: " << problem << "\n";
  std::exit(2);
}

[[noreturn]] void list_techniques(bool json) {
  if (json) {
    std::string table = technique_table_json();  // and this server's backends, as one more member
    table.pop_back();
    table += ",\"backends\":[";
    for (const Backend& b : backends()) table += (table.back() == '[' ? "\"" : ",\"") + std::string(b.name) + "\"";
    std::cout << table << "]}\n";
  } else {
    for (const TechniqueInfo& t : technique_table()) {
      std::cout << t.name << "\t" << t.path << "\t" << (t.on_beast ? "beast " : "") << (t.on_httplib ? "httplib" : "")
                << "\t" << t.summary << "\n";
    }
  }
  std::exit(0);
}

// "https://a.example,http://127.0.0.1:8080" -> each origin, checked: a scheme, a host, no path.
std::vector<std::string> parse_origins(std::string_view list) {
  std::vector<std::string> origins;
  while (!list.empty()) {
    const std::size_t comma = list.find(',');
    const std::string_view origin = list.substr(0, comma);
    const std::size_t host = origin.find("://");
    if (host == std::string_view::npos || host == 0 || origin.size() == host + 3 ||
        origin.find('/', host + 3) != std::string_view::npos) {
      fail("--allowed-origins: '" + std::string(origin) + "' is not an origin (scheme://host[:port], no path)");
    }
    origins.emplace_back(origin);
    list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
  }
  return origins;
}

}  // namespace

std::string default_web_dir() {
  std::error_code error;
  const std::filesystem::path program = std::filesystem::read_symlink("/proc/self/exe", error);
  const std::filesystem::path beside = program.parent_path().parent_path().parent_path() / "web";
  if (!error && std::filesystem::exists(beside / "index.html", error)) return beside.string();
  return PUSHBENCH_WEB_DIR;
}

bool ServerOptions::origin_allowed(std::string_view origin) const {
  if (allowed_origins.empty() || origin.empty()) return true;
  for (const std::string& allowed : allowed_origins) {
    if (equals_ignoring_case(allowed, origin)) return true;  // RFC 6454: scheme and host are case-insensitive
  }
  return false;
}

ServerOptions parse_server_options(int argc, char** argv) {
  using namespace std::chrono_literals;
  using namespace limits;
  ServerOptions o;
  std::vector<std::string> technique_names{"all"}, backend_names;
  for (const TechniqueInfo& t : technique_table()) technique_names.emplace_back(t.name);
  for (const Backend& b : backends()) backend_names.emplace_back(b.name);
  bool list = false, json = false;
  std::string resumption = "on", origins;

  Flags flags("pushbench-server", "--technique T [flags]");
  flags.text("technique", &o.technique, "push technique whose endpoint is served (required)", technique_names)
      .text("bind", &o.bind, "address to listen on")
      .uint("port", &o.port, "TCP port; 0 picks a free one", 0, 65535)
      .text("backend", &o.backend, "server architecture: event loop or thread per connection", backend_names)
      .decimal("rate", &o.rate, "built-in publisher rate, events/s (0 = off)", 0, max_publish_rate)
      .size("payload", &o.payload, "size of each published event's data", 0, max_payload)
      .text("payload-kind", &o.payload_kind,
            "the built-in publisher's data: text, or binary (base64 in JSON; WebSocket: binary frames)",
            {"text", "binary"})
      .uint("event-types", &o.event_types,
            "K > 0: event N is named t<N mod K> (SSE: an event: line; elsewhere \"type\" in the JSON)", 0,
            limits::max_event_types)
      .toggle("sse-multiline", &o.sse_multiline, "SSE: each event's JSON pretty-printed over several data: lines")
      .uint("threads", &o.threads,
            "beast: io_context threads (0 = 1); httplib: at most this many connection threads, a pool "
            "(0 = a thread per connection, up to --max-connections)",
            0, max_threads)
      .uint("history", &o.history, "events kept for resuming cursors", 1, max_history_events)
      .size("history-bytes", &o.history_bytes, "memory the kept events may use", kib, max_history_bytes)
      .uint("max-connections", &o.max_connections, "open connections; beyond, 503", 1, limits::max_connections)
      .size("max-header-bytes", &o.max_header_bytes, "request line and headers; beyond, 431", 256,
            limits::max_header_bytes)
      .size("max-body-bytes", &o.max_body_bytes, "request body (POST /publish); beyond, 413", 0, limits::max_body_bytes)
      .uint("max-queued-events", &o.max_queued_events, "unsent events per subscriber before it is cut off", 1,
            limits::max_queued_events)
      .size("max-queued-bytes", &o.max_queued_bytes,
            "memory of the unsent events one subscriber may hold before it is cut off", kib, limits::max_queued_bytes)
      .uint("max-batch", &o.max_batch, "events in one poll response", 1, limits::max_batch)
      .size("max-batch-bytes", &o.max_batch_bytes, "JSON in one poll response (one event always goes)", 1,
            limits::max_batch_bytes)
      .duration("idle-timeout", &o.idle_timeout, "HTTP keep-alive idle timeout", 1ms, 24h)
      .duration("max-long-poll", &o.max_long_poll, "longest timeout_ms a long poll may ask for", 1ms, 24h)
      .duration("heartbeat", &o.heartbeat, "SSE comment sent when a stream was quiet this long", 1ms, 24h)
      .duration("sse-retry", &o.sse_retry, "reconnect delay announced to SSE clients", 0ms, 24h)
      .duration("ws-handshake-timeout", &o.ws_handshake_timeout,
                "WebSocket closing handshake: how long the server waits for the client's close after sending its own "
                "(the upgrade request is bounded by --idle-timeout)",
                1ms, 1h)
      .duration("ws-idle-timeout", &o.ws_idle_timeout, "WebSocket: ping after half of this idle, close after all of it",
                1ms, 24h)
      .size("ws-max-message", &o.ws_max_message, "largest incoming WebSocket message; beyond, close 1009", 1, gib)
      .text("backplane", &o.backplane,
            "redis://HOST:PORT/STREAM: publish through this Redis Stream and serve what it holds, so several "
            "servers share one event log (seq, cursors)")
      .text("allowed-origins", &origins,
            "comma-separated origins (scheme://host[:port]) whose pages may open a WebSocket; others get 403")
      .text("tls", &o.tls.mode, "TLS on every endpoint with a certificate made at start (https, wss)", {"self-signed"})
      .text("tls-cert", &o.tls.cert_file, "TLS on every endpoint with this PEM certificate chain (with --tls-key)")
      .text("tls-key", &o.tls.key_file, "the PEM private key of --tls-cert")
      .text("tls-min-version", &o.tls.min_version,
            "oldest TLS version accepted (1.3 is negotiated when the client can)", {"1.2", "1.3"})
      .text("tls-resumption", &resumption, "TLS session tickets and cache, so a reconnect can skip the full handshake",
            {"on", "off"})
      .duration("tls-handshake-timeout", &o.tls_handshake_timeout,
                "a client that has not finished the TLS handshake by then is closed and counted", 1ms, 1h)
      .text("web-dir", &o.web_dir, "folder of the live demo page served at / with --technique all")
      .toggle("list-techniques", &list, "print the technique table (name, endpoint, backends) and exit")
      .toggle("json", &json, "with --list-techniques: as JSON");
  flags.parse_or_exit(argc, argv);
  if (list) list_techniques(json);
  if (json) fail("--json: only with --list-techniques");
  if (o.technique.empty()) fail("--technique: required (see --help)");
  if (const TechniqueInfo* t = find_technique(o.technique); t && !t->served_on(o.backend)) {
    fail("--technique: " + o.technique + " is not available with --backend " + o.backend);
  }
  if (o.tls.cert_file.empty() != o.tls.key_file.empty()) fail("--tls-cert and --tls-key: give both or neither");
  if (!o.tls.cert_file.empty()) {
    if (o.tls.enabled()) fail("--tls self-signed: not with --tls-cert and --tls-key");
    o.tls.mode = "files";
  }
  o.tls.resumption = resumption == "on";
  o.allowed_origins = parse_origins(origins);
  if (Backplane::Address address; !o.backplane.empty() && !Backplane::parse(o.backplane, address)) {
    fail("--backplane: '" + o.backplane + "' is not redis://HOST:PORT/STREAM");
  }
  boost::system::error_code ec;
  boost::asio::ip::make_address(o.bind, ec);
  if (ec) fail("--bind: '" + o.bind + "' is not an IP address");
  return o;
}

}  // namespace pushbench
