// pushbench-emitter: SPEC events on stdout, one JSON line each, on an open-loop schedule (event i
// at t0 + i/rate, its ts that scheduled time). websocketd runs one per WebSocket connection and
// sends each line as a text message: the process-per-connection architecture, measured.
#include <cstdio>
#include <ctime>
#include <string>

#include "core/clock.hpp"
#include "core/event.hpp"
#include "core/flags.hpp"

int main(int argc, char** argv) {
  double rate = 10;
  std::uint64_t payload = 64;
  std::chrono::nanoseconds duration = std::chrono::hours(24);
  pushbench::Flags flags("pushbench-emitter", "[--rate R] [--payload B] [--duration D]");
  flags.decimal("rate", &rate, "events per second", 0.001, 1e6)
      .size("payload", &payload, "bytes of data per event", 0, 1 << 20)
      .duration("duration", &duration, "stop after this long", std::chrono::milliseconds(1),
                std::chrono::hours(24 * 365));
  flags.parse_or_exit(argc, argv);

  const std::string data(payload, 'x');
  timespec start{};
  clock_gettime(CLOCK_MONOTONIC, &start);
  const std::int64_t t0_mono = start.tv_sec * 1'000'000'000LL + start.tv_nsec;
  const std::int64_t t0_real = pushbench::realtime_ns();
  for (std::uint64_t i = 0;; ++i) {
    const auto offset = static_cast<std::int64_t>(static_cast<double>(i) * 1e9 / rate);
    if (offset > duration.count()) return 0;
    const std::int64_t due = t0_mono + offset;
    const timespec wake{due / 1'000'000'000, due % 1'000'000'000};
    clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &wake, nullptr);
    const auto event = pushbench::encode_event(i + 1, t0_real + offset, data);
    if (std::fputs(event->json.c_str(), stdout) < 0 || std::fputc('\n', stdout) < 0 || std::fflush(stdout) != 0) {
      return 0;  // the connection is gone
    }
  }
}
