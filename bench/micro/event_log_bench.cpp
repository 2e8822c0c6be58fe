// The event log: append (with eviction once full) and a cursor read of a poll's batch.
#include <benchmark/benchmark.h>

#include "core/event_log.hpp"

namespace pushbench {
namespace {

void BM_EventLogAppend(benchmark::State& state) {
  EventLog log(65536, 256u << 20);
  const std::string data(64, 'x');
  for (auto _ : state) benchmark::DoNotOptimize(log.append(1, data));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_EventLogAppend);

void BM_EventLogReadSince(benchmark::State& state) {
  EventLog log(65536, 256u << 20);
  for (int i = 0; i < 65536; ++i) log.append(i, "x");
  const auto batch = static_cast<std::size_t>(state.range(0));
  std::vector<EventPtr> out;
  for (auto _ : state) {
    out.clear();
    log.read_since(log.last_seq() - batch, batch, SIZE_MAX, out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_EventLogReadSince)->Arg(1)->Arg(100)->Arg(1000);

}  // namespace
}  // namespace pushbench
