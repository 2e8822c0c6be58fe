// pushbench-publisher: publishes SPEC events to a server that has no publisher of its own (nchan,
// Pushpin), open loop: event i is due at t0 + i/rate, carries that time as its ts, and is POSTed
// when due whatever the answers before it are doing (several keep-alive connections, requests
// pipelined). How late each request was written is its lateness, reported with what came back,
// so that a run can tell a slow publisher from a slow server.
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <fstream>
#include <functional>
#include <iostream>
#include <sstream>
#include <vector>

#include "bench/publisher/publish_connection.hpp"
#include "bench/publisher/publish_template.hpp"
#include "core/clock.hpp"
#include "core/event.hpp"
#include "core/flags.hpp"

namespace {

using namespace pushbench;
using Clock = std::chrono::steady_clock;

constexpr auto connect_grace = std::chrono::milliseconds(200);  // connections open before the first event
constexpr auto drain_time = std::chrono::seconds(2);            // for the last answers
constexpr auto drain_poll = std::chrono::milliseconds(20);

struct Options {
  std::string url;
  double rate = 10;
  std::uint64_t payload = 64;
  std::chrono::nanoseconds duration = std::chrono::seconds(10);
  std::uint64_t connections = 2;
  std::string template_file;
  std::string content_type = "application/json";
  std::string out = "-";
};

struct Target {
  std::string host, port, path;
};

[[noreturn]] void fail(const std::string& problem) {
  std::cerr << "pushbench-publisher: " << problem << "\n";
  std::exit(2);
}

Target parse_url(const std::string& url) {
  const std::string scheme = "http://";
  if (url.rfind(scheme, 0) != 0) fail("--url: '" + url + "' must start with http://");
  const std::string rest = url.substr(scheme.size());
  const std::size_t slash = rest.find('/');
  const std::string authority = rest.substr(0, slash);
  const std::size_t colon = authority.rfind(':');
  if (colon == std::string::npos || colon + 1 == authority.size()) fail("--url: '" + url + "' has no port");
  return {authority.substr(0, colon), authority.substr(colon + 1),
          slash == std::string::npos ? "/" : rest.substr(slash)};
}

std::string summary_json(const Histogram& h) {
  std::ostringstream out;
  out << "{\"count\":" << h.count() << ",\"min\":" << h.min() << ",\"mean\":" << static_cast<std::int64_t>(h.mean())
      << ",\"p50\":" << h.value_at_percentile(50) << ",\"p90\":" << h.value_at_percentile(90)
      << ",\"p99\":" << h.value_at_percentile(99) << ",\"p999\":" << h.value_at_percentile(99.9)
      << ",\"max\":" << h.max() << "}";
  return out.str();
}

void write_result(const Options& o, const PublishCounts& c, std::uint64_t due, double seconds) {
  std::ostringstream out;
  out << "{\"url\":\"" << o.url << "\",\"rate\":" << o.rate << ",\"payload\":" << o.payload
      << ",\"connections\":" << o.connections << ",\"duration_s\":" << seconds << ",\"due\":" << due
      << ",\"written\":" << c.written << ",\"answered\":" << c.answered << ",\"refused\":" << c.refused
      << ",\"lost\":" << c.lost << ",\"connection_failures\":" << c.connection_failures
      << ",\"lateness_ns\":" << summary_json(c.lateness) << ",\"lateness_histogram\":" << c.lateness.to_json() << "}\n";
  if (o.out == "-") {
    std::cout << out.str();
    return;
  }
  std::ofstream file(o.out);
  if (!(file << out.str())) {
    std::cerr << "pushbench-publisher: cannot write " << o.out << "\n";
    std::exit(1);
  }
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  Flags flags("pushbench-publisher", "--url http://HOST:PORT/PATH [--rate R] [--payload B] [--duration D] ...");
  flags.text("url", &o.url, "where each event is POSTed")
      .decimal("rate", &o.rate, "events per second", 0.001, 1e6)
      .size("payload", &o.payload, "bytes of data per event", 0, 1 << 20)
      .duration("duration", &o.duration, "publish for this long", std::chrono::milliseconds(1),
                std::chrono::hours(24 * 365))
      .uint("connections", &o.connections, "keep-alive connections the requests are spread over", 1, 64)
      .text("template", &o.template_file,
            "a file whose text is the request body, with $event (the event's JSON), $event_string (it as a JSON "
            "string), $seq and $prev_seq replaced (default: the event's JSON)")
      .text("content-type", &o.content_type, "the requests' Content-Type")
      .text("out", &o.out, "where the result's JSON goes (- = stdout)");
  flags.parse_or_exit(argc, argv);
  if (o.url.empty()) fail("--url: required (see --help)");
  const Target target = parse_url(o.url);
  const PublishTemplate body =
      o.template_file.empty() ? PublishTemplate("$event") : PublishTemplate::load(o.template_file);

  boost::asio::io_context ioc;
  boost::system::error_code ec;
  const auto endpoints = boost::asio::ip::tcp::resolver(ioc).resolve(target.host, target.port, ec);
  if (ec || endpoints.empty()) fail("--url: cannot resolve '" + target.host + "': " + ec.message());
  PublishCounts counts;
  std::vector<std::shared_ptr<PublishConnection>> connections;
  for (std::uint64_t i = 0; i < o.connections; ++i) {
    connections.push_back(std::make_shared<PublishConnection>(ioc, endpoints.begin()->endpoint(), counts));
    connections.back()->start();
  }

  const std::string head = "POST " + target.path + " HTTP/1.1\r\nHost: " + target.host + ":" + target.port +
                           "\r\nContent-Type: " + o.content_type + "\r\nContent-Length: ";
  const std::string data(o.payload, 'x');
  const Clock::time_point t0 = Clock::now() + connect_grace;
  const std::int64_t t0_mono = monotonic_ns() + std::chrono::nanoseconds(connect_grace).count();
  const std::int64_t t0_real = realtime_ns() + std::chrono::nanoseconds(connect_grace).count();
  const auto offset_of = [&](std::uint64_t i) {
    return static_cast<std::int64_t>(static_cast<double>(i) * 1e9 / o.rate);
  };
  std::uint64_t next = 0;  // the next event's index; its seq is next + 1
  boost::asio::steady_timer timer(ioc);
  std::function<void()> publish_due;
  std::function<void(Clock::time_point)> drain;
  publish_due = [&] {
    const std::int64_t now = monotonic_ns();
    for (; offset_of(next) <= o.duration.count() && t0_mono + offset_of(next) <= now; ++next) {
      const std::int64_t offset = offset_of(next);
      const std::string text = body.render(*encode_event(next + 1, t0_real + offset, data), next + 1);
      connections[next % connections.size()]->send(head + std::to_string(text.size()) + "\r\n\r\n" + text,
                                                   t0_mono + offset);
    }
    if (offset_of(next) > o.duration.count()) return drain(Clock::now() + drain_time);
    timer.expires_at(t0 + std::chrono::nanoseconds(offset_of(next)));
    timer.async_wait([&](boost::system::error_code wait_ec) {
      if (!wait_ec) publish_due();
    });
  };
  // After the last event: until every request is answered, or the drain time is up.
  drain = [&](Clock::time_point until) {
    std::uint64_t waiting = 0;
    for (const auto& connection : connections) waiting += connection->unanswered();
    if (waiting == 0 || Clock::now() >= until) {
      counts.lost += waiting;  // never answered: whether the server took them is unknown
      for (const auto& connection : connections) connection->close();
      return;
    }
    timer.expires_after(drain_poll);
    timer.async_wait([&, until](boost::system::error_code wait_ec) {
      if (!wait_ec) drain(until);
    });
  };
  timer.expires_at(t0);
  timer.async_wait([&](boost::system::error_code wait_ec) {
    if (!wait_ec) publish_due();
  });
  ioc.run();
  write_result(o, counts, next, static_cast<double>(o.duration.count()) / 1e9);
  return 0;
}
