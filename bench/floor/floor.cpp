// pushbench-floor: the least a server can do to push one event to N subscribers on this machine,
// measured: a writer thread doing one non-blocking write() per subscriber per event (the event's
// SSE encoding, as pushbench-server sends it), no framework, no queue, no allocation per write,
// and a reader thread draining the other ends. The writer's CPU time per delivered event is the
// floor that every server's cost is compared with ("x floor" in the report).
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <thread>
#include <vector>

#include "core/clock.hpp"
#include "core/event.hpp"
#include "core/flags.hpp"

namespace {

using namespace std::chrono;

struct Options {
  std::uint64_t connections = 100;
  double rate = 100;
  std::uint64_t payload = 64;
  nanoseconds warmup = seconds(1);
  nanoseconds duration = seconds(5);
  std::uint64_t writer_core = 0;
  std::uint64_t reader_core = 1;
};

Options parse(int argc, char** argv) {
  Options o;
  pushbench::Flags flags("pushbench-floor", "[flags]  (prints one JSON object)");
  flags.uint("connections", &o.connections, "subscribers", 1, 20000)
      .decimal("rate", &o.rate, "events per second, open loop", 0.1, 1e6)
      .size("payload", &o.payload, "size of each event's data", 0, 1 << 20)
      .duration("warmup", &o.warmup, "not measured", nanoseconds(0), hours(1))
      .duration("duration", &o.duration, "measured window", milliseconds(100), hours(1))
      .uint("writer-core", &o.writer_core, "core of the writing thread (the server's)", 0, 1023)
      .uint("reader-core", &o.reader_core, "core of the reading thread (the clients')", 0, 1023);
  flags.parse_or_exit(argc, argv);
  return o;
}

void pin(std::uint64_t core) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(core % std::thread::hardware_concurrency(), &set);
  pthread_setaffinity_np(pthread_self(), sizeof set, &set);
}

double thread_cpu_s() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

void fail(const char* what) {
  std::perror(what);
  std::exit(1);
}

// N loopback connections: the writer's ends (non-blocking, TCP_NODELAY) and the reader's ends.
void connect_pairs(std::uint64_t n, std::vector<int>& writers, std::vector<int>& readers) {
  const int listener = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (bind(listener, reinterpret_cast<sockaddr*>(&address), length) || listen(listener, SOMAXCONN) ||
      getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length)) {
    fail("pushbench-floor: listen");
  }
  for (std::uint64_t i = 0; i < n; ++i) {
    const int reader = socket(AF_INET, SOCK_STREAM, 0);
    if (connect(reader, reinterpret_cast<sockaddr*>(&address), length)) fail("pushbench-floor: connect");
    const int writer = accept(listener, nullptr, nullptr);
    if (writer < 0) fail("pushbench-floor: accept");
    const int yes = 1;
    setsockopt(writer, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
    fcntl(writer, F_SETFL, O_NONBLOCK);
    fcntl(reader, F_SETFL, O_NONBLOCK);
    writers.push_back(writer);
    readers.push_back(reader);
  }
  close(listener);
}

// Drains every reader end until told to stop: the subscribers, reading as fast as they can.
void drain(const std::vector<int>& readers, std::uint64_t core, const std::atomic<bool>& stop) {
  pin(core);
  const int epoll = epoll_create1(0);
  for (const int fd : readers) {
    epoll_event event{EPOLLIN, {.fd = fd}};
    epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &event);
  }
  std::vector<epoll_event> ready(1024);
  std::vector<char> sink(1 << 16);
  while (!stop.load(std::memory_order_relaxed)) {
    const int n = epoll_wait(epoll, ready.data(), static_cast<int>(ready.size()), 50);
    for (int i = 0; i < n; ++i) {
      while (read(ready[i].data.fd, sink.data(), sink.size()) > 0) {
      }
    }
  }
  close(epoll);
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = parse(argc, argv);
  std::vector<int> writers, readers;
  connect_pairs(o.connections, writers, readers);
  std::atomic<bool> stop{false};
  std::thread reader(drain, std::cref(readers), o.reader_core, std::cref(stop));
  pin(o.writer_core);

  const std::string data(o.payload, 'x');
  const auto t0 = steady_clock::now();
  const auto window_begin = t0 + o.warmup, window_end = window_begin + o.duration;
  std::uint64_t delivered = 0, short_writes = 0;
  double cpu_begin = 0;
  bool counting = false;
  for (std::uint64_t i = 1;; ++i) {
    const auto due = t0 + duration_cast<nanoseconds>(duration<double>(static_cast<double>(i - 1) / o.rate));
    if (due >= window_end) break;
    std::this_thread::sleep_until(due);
    if (!counting && steady_clock::now() >= window_begin) counting = true, cpu_begin = thread_cpu_s();
    // Encoded once per event, as every server here does; then one write() per subscriber.
    const pushbench::EventPtr event = pushbench::encode_event(i, pushbench::realtime_ns(), data);
    for (const int fd : writers) {
      const ssize_t n = write(fd, event->sse.data(), event->sse.size());
      if (n == static_cast<ssize_t>(event->sse.size()))
        delivered += counting;
      else
        short_writes += counting;  // the reader fell behind: the floor itself is overloaded
    }
  }
  const double cpu = thread_cpu_s() - cpu_begin;
  stop = true;
  reader.join();
  std::printf(
      "{\"connections\":%lu,\"rate\":%g,\"payload\":%lu,\"duration_s\":%g,\"delivered\":%lu,\"short_writes\":%lu,"
      "\"writer_cpu_s\":%g,\"cpu_us_per_event\":%g,\"ceiling_events_per_s\":%g}\n",
      static_cast<unsigned long>(o.connections), o.rate, static_cast<unsigned long>(o.payload),
      duration<double>(o.duration).count(), static_cast<unsigned long>(delivered),
      static_cast<unsigned long>(short_writes), cpu, delivered ? cpu * 1e6 / static_cast<double>(delivered) : 0.0,
      cpu > 0 ? static_cast<double>(delivered) / cpu : 0.0);
  return 0;
}
