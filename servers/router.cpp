#include "servers/router.hpp"

#include <sstream>

#include "core/clock.hpp"
#include "core/json.hpp"
#include "core/units.hpp"
#include "servers/cursor_query.hpp"
#include "servers/limits.hpp"
#include "servers/publisher.hpp"
#include "servers/static_files.hpp"
#include "servers/techniques/technique.hpp"

namespace pushbench {
namespace {

Reply method_not_allowed(std::string_view allowed) {
  Reply reply = Reply::error(405, "method not allowed; use " + std::string(allowed));
  reply.header("Allow", allowed);
  return reply;
}

// ?from=NAME: who publishes (a client of the broadcast workload), recorded in the event.
Reply publish(SharedState& state, std::string_view data, const Target& target) {
  if (!is_valid_utf8(data)) throw BadRequest("the event data must be UTF-8");
  const std::uint64_t seq = state.publish(realtime_ns(), data, publisher_of(target));
  if (seq == 0) return Reply::error(503, "the backplane did not take the event");
  return Reply::json(200, "{\"seq\":" + std::to_string(seq) + "}");
}

// GET: the built-in publisher's rate; POST ?rate=R: change it (the demo page's control).
Reply publisher_rate(SharedState& state, bool change, const Target& target) {
  Publisher* publisher = state.publisher();
  if (!publisher) return Reply::error(404, "this server has no built-in publisher");
  double rate = publisher->rate();
  if (change) {
    const auto text = target.param("rate");
    const auto asked = text ? parse_decimal(*text) : std::nullopt;
    if (!asked || *asked > limits::max_publish_rate) {
      std::ostringstream problem;
      problem << "rate: a number of events per second from 0 to " << limits::max_publish_rate << " is needed";
      throw BadRequest(problem.str());
    }
    rate = *asked;
    publisher->set_rate(rate);  // takes effect on the publisher's strand, a moment later
  }
  std::ostringstream body;
  body << "{\"rate\":" << rate << "}";
  return Reply::json(200, body.str());
}

const ServerTechnique* technique_at(const ServerOptions& options, std::string_view path) {
  for (const ServerTechnique& technique : server_techniques()) {
    if (technique.info.path == path && options.serves(technique.info.name) &&
        technique.info.served_on(options.backend)) {
      return &technique;
    }
  }
  return nullptr;
}

}  // namespace

void route(Exchange& exchange) {
  SharedState& state = exchange.state();
  state.stats().requests.fetch_add(1, std::memory_order_relaxed);
  const bool get = exchange.method() == "GET";
  const bool post = exchange.method() == "POST";
  try {
    const Target target = Target::parse(exchange.target());
    if (target.path == "/healthz")
      return exchange.answer(get ? Reply::text(200, "text/plain", "ok") : method_not_allowed("GET"));
    if (target.path == "/stats")
      return exchange.answer(get ? Reply::json(200, state.stats_json()) : method_not_allowed("GET"));
    if (target.path == "/publisher") {
      return exchange.answer(get || post ? publisher_rate(state, post, target) : method_not_allowed("GET, POST"));
    }
    if (target.path == "/techniques") {
      return exchange.answer(get ? Reply::json(200, technique_table_json()) : method_not_allowed("GET"));
    }
    if (target.path == "/publish")
      return exchange.answer(post ? publish(state, exchange.body(), target) : method_not_allowed("POST"));
    if (state.options().technique == "all" && get) {
      if (auto file = demo_file(state.options().web_dir, target.path)) return exchange.answer(std::move(*file));
    }
    const ServerTechnique* technique = technique_at(state.options(), target.path);
    if (!technique) return exchange.answer(Reply::error(404, "no such endpoint"));
    if (!get) return exchange.answer(method_not_allowed("GET"));
    technique->serve(exchange, target);
  } catch (const BadRequest& bad) {
    exchange.answer(Reply::error(400, bad.what()));
  }
}

}  // namespace pushbench
