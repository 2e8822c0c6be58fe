// WebSocket framing: a server frame header per event, and a client parsing and unmasking.
#include <benchmark/benchmark.h>

#include <string>

#include "core/ws_frame.hpp"

namespace pushbench {
namespace {

void BM_WsFrameEncode(benchmark::State& state) {
  std::uint8_t out[max_frame_header];
  FrameHeader header{.payload_length = static_cast<std::uint64_t>(state.range(0))};
  for (auto _ : state) {
    benchmark::DoNotOptimize(encode_frame_header(header, out));
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_WsFrameEncode)->Arg(64)->Arg(4096)->Arg(65536);

// Header parse plus unmasking of the payload, as a server does for each client frame.
void BM_WsFrameParse(benchmark::State& state) {
  const auto size = static_cast<std::size_t>(state.range(0));
  FrameHeader header{.masked = true, .mask = {1, 2, 3, 4}, .payload_length = size};
  std::uint8_t head[max_frame_header];
  std::string frame(reinterpret_cast<const char*>(head), encode_frame_header(header, head));
  frame += std::string(size, 'x');
  for (auto _ : state) {
    const auto parsed = parse_frame_header(frame);
    apply_mask(frame.data() + parsed->header_size, parsed->payload_length, parsed->mask);
    benchmark::DoNotOptimize(frame.data());
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_WsFrameParse)->Arg(64)->Arg(4096)->Arg(65536);

}  // namespace
}  // namespace pushbench
