// Recording a latency: done for every event a client receives.
#include <benchmark/benchmark.h>

#include <random>

#include "core/histogram.hpp"

namespace pushbench {
namespace {

void BM_HistogramRecord(benchmark::State& state) {
  Histogram h;
  std::mt19937_64 rng(1);
  std::vector<std::int64_t> values(4096);
  for (auto& v : values) v = static_cast<std::int64_t>(rng() % 1'000'000'000);
  std::size_t i = 0;
  for (auto _ : state) h.record(values[i++ & 4095]);
  benchmark::DoNotOptimize(h.count());
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_HistogramRecord);

void BM_HistogramMerge(benchmark::State& state) {
  Histogram a, b;
  for (std::int64_t v = 1000; v < 1'000'000'000; v = v * 11 / 10) b.record(v);
  for (auto _ : state) a.merge(b);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_HistogramMerge);

}  // namespace
}  // namespace pushbench
