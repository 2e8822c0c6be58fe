// pushbench-client: opens N connections with one push technique, measures what arrives; its flags
// and result fields are in docs/spec.md.
#include <boost/asio/ip/tcp.hpp>
#include <fstream>
#include <iostream>
#include <optional>
#include <thread>

#include "clients/limits.hpp"
#include "clients/result.hpp"
#include "clients/techniques/technique.hpp"
#include "clients/worker.hpp"

using namespace pushbench;

namespace {

const ClientTechnique& technique_named(std::string_view name) {
  for (const ClientTechnique& t : client_techniques()) {
    if (t.name == name) return t;
  }
  throw std::logic_error("flags admitted an unknown technique");
}

Schedule make_schedule(const ClientOptions& o) {
  using namespace std::chrono;
  const auto start = steady_clock::now() + client_limits::schedule_lead;
  const auto ramp =
      o.connect_rate > 0
          ? nanoseconds(static_cast<std::int64_t>(static_cast<double>(o.connections) * 1e9 / o.connect_rate))
          : nanoseconds(0);
  const auto begin = start + ramp + o.warmup;
  return Schedule{start, begin, begin + o.duration};
}

}  // namespace

int main(int argc, char** argv) {
  const ClientOptions options = parse_client_options(argc, argv);
  boost::asio::ip::tcp::endpoint endpoint;
  try {
    boost::asio::io_context resolver_context;
    boost::asio::ip::tcp::resolver resolver(resolver_context);
    endpoint = *resolver.resolve(options.host, std::to_string(options.port)).begin();
  } catch (const boost::system::system_error& error) {
    std::cerr << "pushbench-client: --url: cannot resolve '" << options.host << "': " << error.code().message() << "\n";
    return 2;
  }
  std::optional<Trace> trace;
  if (!options.trace.empty()) {
    trace.emplace(options.trace, options.technique + " " + options.url);
    if (!trace->ok()) {
      std::cerr << "pushbench-client: --trace: cannot write '" << options.trace << "'\n";
      return 2;
    }
  }

  const Schedule schedule = make_schedule(options);
  const std::size_t threads = std::min<std::size_t>(options.threads, options.connections);
  std::vector<std::unique_ptr<Worker>> workers;
  for (std::size_t t = 0, first = 0; t < threads; ++t) {
    const std::size_t count = options.connections / threads + (t < options.connections % threads ? 1 : 0);
    workers.push_back(std::make_unique<Worker>(options, technique_named(options.technique), endpoint, schedule, first,
                                               count, trace ? &*trace : nullptr));
    first += count;
  }
  {
    std::vector<std::jthread> running;
    for (auto& worker : workers) running.emplace_back([&worker] { worker->run(); });
  }

  Metrics total;
  for (auto& worker : workers) total.merge(worker->metrics());
  const RunResult result{options, total};
  write_summary(std::cerr, result);
  if (!options.hgrm.empty()) {
    std::ofstream hgrm(options.hgrm);
    total.latency.write_percentiles(hgrm, 1e6);
    if (!hgrm) std::cerr << "pushbench-client: --hgrm: cannot write '" << options.hgrm << "'\n";
  }
  if (options.out == "-") {
    write_result_json(std::cout, result);
  } else {
    std::ofstream out(options.out);
    write_result_json(out, result);
    if (!out) {
      std::cerr << "pushbench-client: --out: cannot write '" << options.out << "'\n";
      return 1;
    }
  }
  return 0;
}
