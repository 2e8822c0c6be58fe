#pragma once
#include <span>
#include <string>
#include <string_view>
#include <variant>

#include "clients/client_options.hpp"
#include "clients/metrics.hpp"

namespace pushbench {

// How one field of several results (threads, or client processes in the harness) combines.
enum class Merge {
  sum,
  min,
  max,
  any,        // true if any is
  same,       // the run's settings: equal in every part
  histogram,  // merged bucket by bucket
  summary,    // percentiles, read again from the merged histogram named in `of`
  ratio,      // recomputed from the merged fields named in `of` ("a/b")
  sum_map,    // counts by name: summed name by name
};

struct RunResult {
  const ClientOptions& options;
  const Metrics& total;
  bool client_saturated() const;
};

// One field of the result JSON. Measured fields say where Metrics keeps them, and merge through
// it; settings and derived fields say how to write them.
struct ResultField {
  using Member = std::variant<std::monostate, std::uint64_t Metrics::*, double Metrics::*, Histogram Metrics::*,
                              Metrics::Counts Metrics::*>;
  std::string_view name;  // "group.key": key inside the JSON object "group"
  std::string_view unit;
  Merge merge;
  Member member;
  std::string (*json)(const RunResult& result) = nullptr;  // for fields Metrics does not keep
  std::string_view of = {};
};

// The result's fields, in the order they are written: the SPEC's and ours, declared once.
std::span<const ResultField> result_schema();

// {"fields":[{"name":..,"unit":..,"merge":..,"of":..}]}, for the harness (`--list-metrics --json`).
std::string result_schema_json();

}  // namespace pushbench
