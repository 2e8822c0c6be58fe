// Event encodings: what one publish costs (JSON + SSE frame), and what a client spends parsing.
#include <benchmark/benchmark.h>

#include "core/event.hpp"
#include "core/event_fields.hpp"
#include "core/sse_format.hpp"
#include "core/sse_parser.hpp"

namespace pushbench {
namespace {

std::string payload(std::size_t size) { return std::string(size, 'x'); }

void BM_EncodeEvent(benchmark::State& state) {  // JSON and SSE frame, once per publish
  const std::string data = payload(static_cast<std::size_t>(state.range(0)));
  std::uint64_t seq = 1;
  for (auto _ : state) benchmark::DoNotOptimize(encode_event(seq++, 1700000000000000000, data));
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_EncodeEvent)->Arg(16)->Arg(64)->Arg(1024)->Arg(65536);

void BM_SseFrameEncode(benchmark::State& state) {
  const std::string json = encode_event(1, 1, payload(static_cast<std::size_t>(state.range(0))))->json;
  for (auto _ : state) benchmark::DoNotOptimize(sse_event_frame(42, json));
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(json.size()));
}
BENCHMARK(BM_SseFrameEncode)->Arg(64)->Arg(4096);

// A stream of 1,000 frames, parsed as it arrives in 4 KiB reads, with seq and ts read from each.
void BM_SseParse(benchmark::State& state) {
  std::string stream;
  for (std::uint64_t seq = 1; seq <= 1000; ++seq)
    stream += encode_event(seq, 1, payload(static_cast<std::size_t>(state.range(0))))->sse;
  for (auto _ : state) {
    SseParser parser;
    std::uint64_t sum = 0;
    for (std::size_t at = 0; at < stream.size(); at += 4096) {
      parser.feed(std::string_view(stream).substr(at, 4096), [&](const SseParser::Event& e) {
        EventFields fields;
        read_event_fields(e.data, fields);
        sum += fields.seq;
      });
    }
    benchmark::DoNotOptimize(sum);
  }
  state.SetItemsProcessed(state.iterations() * 1000);
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(stream.size()));
}
BENCHMARK(BM_SseParse)->Arg(64)->Arg(4096);

}  // namespace
}  // namespace pushbench
