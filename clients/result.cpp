#include "clients/result.hpp"

#include <cstdio>
#include <ostream>

#include "core/json.hpp"

namespace pushbench {
namespace {

void write_distribution(std::ostream& out, const Histogram& h) {
  out << "{\"count\":" << h.count() << ",\"min\":" << h.min() << ",\"mean\":" << static_cast<std::int64_t>(h.mean())
      << ",\"p50\":" << h.value_at_percentile(50) << ",\"p90\":" << h.value_at_percentile(90)
      << ",\"p99\":" << h.value_at_percentile(99) << ",\"p999\":" << h.value_at_percentile(99.9)
      << ",\"max\":" << h.max() << "}";
}

std::string quoted(std::string_view text) {
  std::string out;
  append_json_string(out, text);
  return out;
}

double per(double amount, double count) { return count > 0 ? amount / count : 0; }

}  // namespace

void write_result_json(std::ostream& out, const RunResult& r) {
  const ClientOptions& o = r.options;
  const Metrics& m = r.total;
  const ErrorCounts& e = m.errors;
  out << "{\"technique\":" << quoted(o.technique) << ",\"url\":" << quoted(o.url)
      << ",\"connections_requested\":" << o.connections << ",\"connections_established\":" << m.connections_established
      << ",\"connect_errors\":" << m.connect_errors << ",\"errors\":" << e.total() << ",\"errors_by_kind\":{"
      << "\"connect_refused\":" << e.connect_refused << ",\"timeout\":" << e.timeout
      << ",\"http_status\":" << e.http_status << ",\"protocol\":" << e.protocol << ",\"closed\":" << e.closed
      << ",\"other\":" << e.other << "},\"reconnects\":" << m.reconnects << ",\"events_received\":" << m.events_received
      << ",\"gaps\":" << m.gaps << ",\"duplicates\":" << m.duplicates << ",\"bytes_in\":" << m.bytes_in
      << ",\"bytes_out\":" << m.bytes_out << ",\"http_requests\":" << m.http_requests
      << ",\"late_polls\":" << m.late_polls << ",\"protocol_messages\":" << m.protocol_messages << ",\"events_per_connection\":{\"min\":"
      << (m.events_per_connection_max ? m.events_per_connection_min : 0) << ",\"max\":" << m.events_per_connection_max
      << "}" << ",\"duration_s\":" << m.window_s
      << ",\"warmup_s\":" << std::chrono::duration<double>(o.warmup).count()
      << ",\"poll_interval_s\":" << std::chrono::duration<double>(o.poll_interval).count()
      << ",\"threads\":" << o.threads << ",\"events_per_s\":" << per(static_cast<double>(m.events_received), m.window_s)
      << ",\"latency_ns\":";
  write_distribution(out, m.latency);
  out << ",\"connect_ns\":";
  write_distribution(out, m.connect);
  out << ",\"latency_histogram\":" << m.latency.to_json() << ",\"connect_histogram\":" << m.connect.to_json()
      << ",\"client_cpu_s\":" << m.cpu_s << ",\"client_busiest_thread_cpu\":" << r.busiest_thread_cpu_fraction
      << ",\"client_loop_lag_max_s\":" << m.loop_lag_max_s
      << ",\"client_saturated\":" << (r.client_saturated() ? "true" : "false") << "}\n";
}

void write_summary(std::ostream& out, const RunResult& r) {
  const Metrics& m = r.total;
  const auto ms = [](std::int64_t ns) { return static_cast<double>(ns) / 1e6; };
  const double events = static_cast<double>(m.events_received);
  char line[256];
  std::snprintf(line, sizeof line, "%s: %lu/%lu connections, %.1f s window\n", r.options.technique.c_str(),
                static_cast<unsigned long>(m.connections_established), static_cast<unsigned long>(r.options.connections),
                m.window_s);
  out << line;
  std::snprintf(line, sizeof line, "  events     %lu (%.1f/s), gaps %lu, duplicates %lu\n",
                static_cast<unsigned long>(m.events_received), per(events, m.window_s),
                static_cast<unsigned long>(m.gaps), static_cast<unsigned long>(m.duplicates));
  out << line;
  std::snprintf(line, sizeof line, "  latency    p50 %.3f  p90 %.3f  p99 %.3f  p99.9 %.3f  max %.3f ms\n",
                ms(m.latency.value_at_percentile(50)), ms(m.latency.value_at_percentile(90)),
                ms(m.latency.value_at_percentile(99)), ms(m.latency.value_at_percentile(99.9)), ms(m.latency.max()));
  out << line;
  std::snprintf(line, sizeof line, "  connect    p50 %.3f  p99 %.3f ms\n", ms(m.connect.value_at_percentile(50)),
                ms(m.connect.value_at_percentile(99)));
  out << line;
  std::snprintf(line, sizeof line, "  per event  %.1f bytes in, %.1f bytes out, %.3f requests\n",
                per(static_cast<double>(m.bytes_in), events), per(static_cast<double>(m.bytes_out), events),
                per(static_cast<double>(m.http_requests), events));
  out << line;
  std::snprintf(line, sizeof line, "  errors     %lu (reconnects %lu, late polls %lu); client CPU %.2f s, busiest thread %.0f%%\n",
                static_cast<unsigned long>(m.errors.total()), static_cast<unsigned long>(m.reconnects),
                static_cast<unsigned long>(m.late_polls), m.cpu_s, 100 * r.busiest_thread_cpu_fraction);
  out << line;
  if (r.client_saturated()) {
    out << "  WARNING: a client thread was saturated: these figures measure the client, not the server.\n"
           "           Use more --threads or fewer connections.\n";
  }
}

}  // namespace pushbench
