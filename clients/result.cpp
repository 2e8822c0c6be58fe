#include "clients/result.hpp"

#include <cstdio>
#include <ostream>
#include <sstream>

#include "core/json.hpp"

namespace pushbench {
namespace {

void write_distribution(std::ostream& out, const Histogram& h) {
  out << "{\"count\":" << h.count() << ",\"min\":" << h.min() << ",\"mean\":" << static_cast<std::int64_t>(h.mean())
      << ",\"p50\":" << h.value_at_percentile(50) << ",\"p90\":" << h.value_at_percentile(90)
      << ",\"p99\":" << h.value_at_percentile(99) << ",\"p999\":" << h.value_at_percentile(99.9)
      << ",\"max\":" << h.max() << "}";
}

double per(double amount, double count) { return count > 0 ? amount / count : 0; }

// A field's value as JSON, from Metrics or from the field's own writer.
std::string field_json(const ResultField& field, const RunResult& r) {
  if (field.json) return field.json(r);
  std::ostringstream out;
  if (const auto* counter = std::get_if<std::uint64_t Metrics::*>(&field.member)) {
    const std::uint64_t value = r.total.**counter;
    out << (field.merge == Merge::min && value == UINT64_MAX ? 0 : value);  // a min of nothing is 0
  } else if (const auto* decimal = std::get_if<double Metrics::*>(&field.member)) {
    out << r.total.**decimal;
  } else if (const auto* counts = std::get_if<Metrics::Counts Metrics::*>(&field.member)) {
    char separator = '{';
    for (const auto& [name, count] : r.total.**counts) {
      out << separator << '"' << name << "\":" << count;  // names are t<N>: nothing to escape
      separator = ',';
    }
    if (separator == '{') out << '{';
    out << '}';
  } else if (const auto* histogram = std::get_if<Histogram Metrics::*>(&field.member)) {
    if (field.merge == Merge::histogram)
      out << (r.total.**histogram).to_json();
    else
      write_distribution(out, r.total.**histogram);
  }
  return out.str();
}

}  // namespace

void write_result_json(std::ostream& out, const RunResult& r) {
  std::string_view open_group;
  char separator = '{';
  for (const ResultField& field : result_schema()) {
    const auto dot = field.name.find('.');
    const std::string_view group = dot == std::string_view::npos ? "" : field.name.substr(0, dot);
    const std::string_view key = dot == std::string_view::npos ? field.name : field.name.substr(dot + 1);
    if (group != open_group && !open_group.empty()) out << '}';
    out << separator;
    separator = ',';
    if (group != open_group && !group.empty()) out << '"' << group << "\":{";
    open_group = group;
    out << '"' << key << "\":" << field_json(field, r);
  }
  if (!open_group.empty()) out << '}';
  out << "}\n";
}

void write_summary(std::ostream& out, const RunResult& r) {
  const Metrics& m = r.total;
  const auto ms = [](std::int64_t ns) { return static_cast<double>(ns) / 1e6; };
  const double events = static_cast<double>(m.events_received);
  char line[256];
  std::snprintf(line, sizeof line, "%s: %lu/%lu connections, %.1f s window\n", r.options.technique.c_str(),
                static_cast<unsigned long>(m.connections_established),
                static_cast<unsigned long>(r.options.connections), m.window_s);
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
  if (m.resume.count()) {
    std::snprintf(line, sizeof line, "  resume     p50 %.3f  p99 %.3f ms after a lost connection (%lu)\n",
                  ms(m.resume.value_at_percentile(50)), ms(m.resume.value_at_percentile(99)),
                  static_cast<unsigned long>(m.resume.count()));
    out << line;
  }
  std::snprintf(line, sizeof line, "  per event  %.1f bytes in, %.1f bytes out, %.3f requests\n",
                per(static_cast<double>(m.bytes_in), events), per(static_cast<double>(m.bytes_out), events),
                per(static_cast<double>(m.http_requests), events));
  out << line;
  std::snprintf(line, sizeof line,
                "  errors     %lu (reconnects %lu, late polls %lu); client CPU %.2f s, busiest thread %.0f%%\n",
                static_cast<unsigned long>(m.errors()), static_cast<unsigned long>(m.reconnects),
                static_cast<unsigned long>(m.late_polls), m.cpu_s, 100 * m.busiest_thread_cpu);
  out << line;
  if (r.client_saturated()) {
    out << "  WARNING: a client thread was saturated: these figures measure the client, not the server.\n"
           "           Use more --threads or fewer connections.\n";
  }
}

}  // namespace pushbench
