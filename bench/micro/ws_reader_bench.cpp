// What the server spends on what WebSocket clients send (ClientFrameReader, read in 4 KiB pieces
// as the server's recv does), and on framing each event for them (server_frame, the part of
// encode_event that BM_EncodeEvent now includes).
#include <benchmark/benchmark.h>

#include <string>

#include "core/ws_frame.hpp"
#include "core/ws_reader.hpp"

namespace pushbench {
namespace {

constexpr int frames_per_stream = 1000;
constexpr std::uint64_t max_message = 64 * 1024;  // the server's default --ws-max-message

std::string client_frame(std::uint8_t opcode, std::string payload) {
  const FrameHeader header{
      .opcode = opcode, .masked = true, .mask = {0x37, 0xfa, 0x21, 0x3d}, .payload_length = payload.size()};
  std::uint8_t head[max_frame_header];
  const std::size_t size = encode_frame_header(header, head);
  apply_mask(payload.data(), payload.size(), header.mask);
  return std::string(reinterpret_cast<const char*>(head), size) + payload;
}

// 1,000 frames of one opcode and payload size, read through one reader per stream.
void read_stream(benchmark::State& state, std::uint8_t opcode) {
  const auto size = static_cast<std::size_t>(state.range(0));
  std::string stream;
  for (int i = 0; i < frames_per_stream; ++i) stream += client_frame(opcode, std::string(size, 'x'));
  for (auto _ : state) {
    ClientFrameReader reader(max_message);
    std::size_t answers = 0;
    for (std::size_t at = 0; at < stream.size(); at += 4096) {
      std::string_view in = std::string_view(stream).substr(at, 4096);
      while (!in.empty()) {
        const ClientFrameReader::Frame frame = reader.next(in);
        answers += frame.payload.size() + (frame.kind != ClientFrameReader::Kind::need_more);
      }
    }
    benchmark::DoNotOptimize(answers);
  }
  state.SetItemsProcessed(state.iterations() * frames_per_stream);
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(stream.size()));
}

// Text frames: checked against the rules and the size bound, their payloads skipped unread.
void BM_WsReaderText(benchmark::State& state) { read_stream(state, 0x1); }
BENCHMARK(BM_WsReaderText)->Arg(16)->Arg(64)->Arg(1024);

// Pings: each payload copied and unmasked, and returned to be answered.
void BM_WsReaderPing(benchmark::State& state) { read_stream(state, 0x9); }
BENCHMARK(BM_WsReaderPing)->Arg(16)->Arg(125);

// The WebSocket frame of an event's JSON, built once per publish by encode_event.
void BM_WsServerFrame(benchmark::State& state) {
  const std::string json(static_cast<std::size_t>(state.range(0)), 'x');
  for (auto _ : state) benchmark::DoNotOptimize(server_frame(0x1, json));
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_WsServerFrame)->Arg(64)->Arg(1024)->Arg(65536);

}  // namespace
}  // namespace pushbench
