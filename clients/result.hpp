#pragma once
#include <iosfwd>
#include <string>

#include "clients/client_options.hpp"
#include "clients/metrics.hpp"

namespace pushbench {

// A client thread whose CPU was this busy in the window measured itself, not the server.
inline constexpr double saturation_cpu_fraction = 0.9;

struct RunResult {
  const ClientOptions& options;
  const Metrics& total;
  double busiest_thread_cpu_fraction = 0;
  bool client_saturated() const { return busiest_thread_cpu_fraction >= saturation_cpu_fraction; }
};

// The SPEC's result object, plus errors by kind, histograms that can be merged later, and the
// client's own CPU use.
void write_result_json(std::ostream& out, const RunResult& result);

// The human summary for stderr.
void write_summary(std::ostream& out, const RunResult& result);

}  // namespace pushbench
