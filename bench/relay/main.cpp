// pushbench-relay: a TCP relay between load clients and a server that gives loopback the delay,
// jitter, bandwidth and stalls of a real network, and injects faults (resets, stuck readers).
// It runs on the load side's cores; its CPU is reported as the load side's, never the server's.
#include <sys/resource.h>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <random>
#include <thread>
#include <vector>

#include "bench/relay/relay_options.hpp"
#include "bench/relay/relay_thread.hpp"
#include "core/clock.hpp"

namespace {

using namespace pushbench::relay;
using boost::asio::ip::tcp;

double process_cpu_s() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const auto seconds = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

tcp::endpoint endpoint_of(const std::string& host, std::uint16_t port, const char* flag) {
  boost::system::error_code ec;
  const auto address = boost::asio::ip::make_address(host, ec);
  if (ec) {
    std::fprintf(stderr, "pushbench-relay: --%s: '%s' is not an IP address\n", flag, host.c_str());
    std::exit(2);
  }
  return {address, port};
}

}  // namespace

int main(int argc, char** argv) {
  const RelayOptions options = parse_relay_options(argc, argv);
  tcp::endpoint listen = endpoint_of(options.listen_host, options.listen_port, "listen");
  const tcp::endpoint target = endpoint_of(options.target_host, options.target_port, "target");
  std::mt19937_64 seeds(options.seed ? options.seed : std::random_device{}());
  const std::int64_t started_ns = pushbench::monotonic_ns();

  std::vector<std::unique_ptr<RelayThread>> threads;
  try {
    for (std::uint64_t i = 0; i < options.threads; ++i) {
      threads.push_back(std::make_unique<RelayThread>(options, listen, target, started_ns, seeds()));
      listen.port(threads.front()->port());  // the others join the first one's port
    }
  } catch (const boost::system::system_error& error) {
    std::fprintf(stderr, "pushbench-relay: cannot listen on %s:%u: %s\n", options.listen_host.c_str(),
                 options.listen_port, error.code().message().c_str());
    return 1;
  }
  std::printf("listening on http://%s:%u\n", listen.address().to_string().c_str(), listen.port());
  std::fflush(stdout);

  std::vector<std::thread> loops;
  for (auto& thread : threads) {
    thread->start();
    loops.emplace_back([&ioc = thread->ioc()] { ioc.run(); });
  }
  boost::asio::io_context control;
  boost::asio::signal_set signals(control, SIGINT, SIGTERM);
  boost::asio::steady_timer deadline(control);
  const auto stop = [&] {
    signals.cancel();
    deadline.cancel();
    for (auto& thread : threads) thread->stop();
  };
  signals.async_wait([&](boost::system::error_code ec, int) {
    if (!ec) stop();
  });
  if (options.duration.count() > 0) {
    deadline.expires_after(options.duration);
    deadline.async_wait([&](boost::system::error_code ec) {
      if (!ec) stop();
    });
  }
  control.run();
  for (auto& loop : loops) loop.join();

  RelayStats total;
  for (auto& thread : threads) total.merge(thread->stats());
  const double elapsed_s = static_cast<double>(pushbench::monotonic_ns() - started_ns) / 1e9;
  const std::string json = total.to_json(process_cpu_s(), elapsed_s) + "\n";
  if (options.out == "-") {
    std::cout << json;
  } else {
    std::ofstream(options.out) << json;
  }
  return 0;
}
