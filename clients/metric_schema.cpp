#include "clients/metric_schema.hpp"

#include <algorithm>
#include <sstream>

#include "clients/limits.hpp"
#include "core/json.hpp"

namespace pushbench {
namespace {

template <typename T>
std::string number(T value) {
  std::ostringstream out;
  out << value;
  return out.str();
}

std::string quoted(std::string_view text) {
  std::string out;
  append_json_string(out, text);
  return out;
}

// The one name every handshake agreed on (a TLS version, a cipher); "mixed" when they differ, ""
// without TLS.
std::string agreed(const Metrics::Counts& names) {
  if (names.size() > 1) return "mixed";
  return names.empty() ? "" : names.begin()->first;
}

double seconds(std::chrono::nanoseconds d) { return std::chrono::duration<double>(d).count(); }

using M = Metrics;
using R = const RunResult&;

const ResultField schema[] = {
    // The run's settings.
    {"technique", "", Merge::same, {}, [](R r) { return quoted(r.options.technique); }},
    {"url", "", Merge::same, {}, [](R r) { return quoted(r.options.url); }},
    {"connections_requested", "connections", Merge::sum, {}, [](R r) { return number(r.options.connections); }},
    {"warmup_s", "s", Merge::same, {}, [](R r) { return number(seconds(r.options.warmup)); }},
    {"poll_interval_s", "s", Merge::same, {}, [](R r) { return number(seconds(r.options.poll_interval)); }},
    {"threads", "threads", Merge::sum, {}, [](R r) { return number(r.options.threads); }},
    // What was measured.
    {"connections_established", "connections", Merge::sum, &M::connections_established},
    {"connect_errors", "connections", Merge::sum, &M::connect_errors},
    {"errors", "errors", Merge::sum, {}, [](R r) { return number(r.total.errors()); }},
    {"errors_by_kind.connect_refused", "errors", Merge::sum, &M::connect_refused_errors},
    {"errors_by_kind.timeout", "errors", Merge::sum, &M::timeout_errors},
    {"errors_by_kind.http_status", "errors", Merge::sum, &M::http_status_errors},
    {"errors_by_kind.protocol", "errors", Merge::sum, &M::protocol_errors},
    {"errors_by_kind.closed", "errors", Merge::sum, &M::closed_errors},
    {"errors_by_kind.other", "errors", Merge::sum, &M::other_errors},
    {"reconnects", "connections", Merge::sum, &M::reconnects},
    {"tls_handshakes", "connections", Merge::sum, &M::tls_handshakes},
    {"tls_resumed", "connections", Merge::sum, &M::tls_resumed},
    {"tls_versions", "connections", Merge::sum_map, &M::tls_versions},
    {"tls_version", "", Merge::same, {}, [](R r) { return quoted(agreed(r.total.tls_versions)); }},
    {"tls_ciphers", "connections", Merge::sum_map, &M::tls_ciphers},
    {"tls_cipher", "", Merge::same, {}, [](R r) { return quoted(agreed(r.total.tls_ciphers)); }},
    {"events_received", "events", Merge::sum, &M::events_received},
    {"gaps", "events", Merge::sum, &M::gaps},
    {"duplicates", "events", Merge::sum, &M::duplicates},
    {"events_by_type", "events", Merge::sum_map, &M::events_by_type},
    {"event_bytes", "bytes", Merge::sum, &M::event_bytes},
    {"bytes_in", "bytes", Merge::sum, &M::bytes_in},
    {"bytes_out", "bytes", Merge::sum, &M::bytes_out},
    {"http_requests", "requests", Merge::sum, &M::http_requests},
    {"late_polls", "requests", Merge::sum, &M::late_polls},
    {"protocol_messages", "messages", Merge::sum, &M::protocol_messages},
    {"messages_sent", "messages", Merge::sum, &M::messages_sent},
    {"publish_requests", "requests", Merge::sum, &M::publish_requests},
    {"messages_lost", "messages", Merge::sum, &M::messages_lost},
    {"messages_refused", "messages", Merge::sum, &M::messages_refused},
    {"upstream_bytes", "bytes", Merge::sum, &M::upstream_bytes},
    {"events_per_connection.min", "events", Merge::min, &M::events_per_connection_min},
    {"events_per_connection.max", "events", Merge::max, &M::events_per_connection_max},
    {"duration_s", "s", Merge::max, &M::window_s},
    {"events_per_s",
     "events/s",
     Merge::ratio,
     {},
     [](R r) {
       return number(r.total.window_s > 0 ? static_cast<double>(r.total.events_received) / r.total.window_s : 0);
     },
     "events_received/duration_s"},
    {"latency_ns", "ns", Merge::summary, &M::latency, nullptr, "latency_histogram"},
    {"connect_ns", "ns", Merge::summary, &M::connect, nullptr, "connect_histogram"},
    {"tcp_connect_ns", "ns", Merge::summary, &M::tcp_connect, nullptr, "tcp_connect_histogram"},
    {"tls_handshake_ns", "ns", Merge::summary, &M::tls_handshake, nullptr, "tls_handshake_histogram"},
    {"resume_ns", "ns", Merge::summary, &M::resume, nullptr, "resume_histogram"},
    {"round_trip_ns", "ns", Merge::summary, &M::round_trip, nullptr, "round_trip_histogram"},
    {"latency_histogram", "ns", Merge::histogram, &M::latency},
    {"connect_histogram", "ns", Merge::histogram, &M::connect},
    {"tcp_connect_histogram", "ns", Merge::histogram, &M::tcp_connect},
    {"tls_handshake_histogram", "ns", Merge::histogram, &M::tls_handshake},
    {"resume_histogram", "ns", Merge::histogram, &M::resume},
    {"round_trip_histogram", "ns", Merge::histogram, &M::round_trip},
    // The client's own load: when it saturates, the figures measure the client.
    {"client_cpu_s", "s", Merge::sum, &M::cpu_s},
    {"client_busiest_thread_cpu", "cores", Merge::max, &M::busiest_thread_cpu},
    {"client_loop_lag_max_s", "s", Merge::max, &M::loop_lag_max_s},
    {"client_saturated", "", Merge::any, {}, [](R r) { return std::string(r.client_saturated() ? "true" : "false"); }},
};

constexpr std::string_view merge_names[] = {"sum",       "min",     "max",   "any",    "same",
                                            "histogram", "summary", "ratio", "sum_map"};

template <typename T>
void combine(T& into, const T& from, Merge merge) {
  if (merge == Merge::sum)
    into += from;
  else if (merge == Merge::min)
    into = std::min(into, from);
  else if (merge == Merge::max)
    into = std::max(into, from);
}

}  // namespace

std::span<const ResultField> result_schema() { return schema; }

bool RunResult::client_saturated() const { return total.busiest_thread_cpu >= client_limits::saturation_cpu_fraction; }

void Metrics::merge(const Metrics& other) {
  for (const ResultField& field : schema) {
    if (const auto* counter = std::get_if<std::uint64_t M::*>(&field.member))
      combine(this->**counter, other.**counter, field.merge);
    if (const auto* decimal = std::get_if<double M::*>(&field.member))
      combine(this->**decimal, other.**decimal, field.merge);
    if (const auto* histogram = std::get_if<Histogram M::*>(&field.member);
        histogram && field.merge == Merge::histogram) {
      (this->**histogram).merge(other.**histogram);
    }
    if (const auto* counts = std::get_if<Counts M::*>(&field.member)) {
      for (const auto& [name, count] : other.**counts) (this->**counts)[name] += count;
    }
  }
}

std::string result_schema_json() {
  std::string out = "{\"fields\":[";
  for (const ResultField& field : schema) {
    if (out.back() == '}') out += ',';
    out += "{\"name\":" + quoted(field.name) + ",\"unit\":" + quoted(field.unit) +
           ",\"merge\":" + quoted(merge_names[static_cast<int>(field.merge)]) + ",\"of\":" + quoted(field.of) + "}";
  }
  return out + "]}";
}

}  // namespace pushbench
