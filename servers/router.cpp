#include "servers/router.hpp"

#include <sstream>

#include "core/clock.hpp"
#include "core/json.hpp"
#include "core/query.hpp"
#include "core/units.hpp"
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

Reply publish(SharedState& state, const Request& request) {
  if (!is_valid_utf8(request.body())) throw BadRequest("the event data must be UTF-8");
  const std::uint64_t seq = state.publish(realtime_ns(), request.body());
  return Reply::json(200, "{\"seq\":" + std::to_string(seq) + "}");
}

// GET: the built-in publisher's rate; POST ?rate=R: change it (the demo page's control).
Reply publisher_rate(SharedState& state, const Request& request, const Target& target) {
  Publisher* publisher = state.publisher();
  if (!publisher) return Reply::error(404, "this server has no built-in publisher");
  double rate = publisher->rate();
  if (request.method() == http::verb::post) {
    const auto text = target.param("rate");
    const auto asked = text ? parse_decimal(*text) : std::nullopt;
    if (!asked || *asked > 100000) throw BadRequest("rate: a number of events per second from 0 to 100000 is needed");
    rate = *asked;
    publisher->set_rate(rate);  // takes effect on the publisher's strand, a moment later
  }
  std::ostringstream body;
  body << "{\"rate\":" << rate << "}";
  return Reply::json(200, body.str());
}

const Technique* technique_at(const ServerOptions& options, std::string_view path) {
  for (const Technique& technique : techniques()) {
    if (technique.path == path && options.serves(technique.name)) return &technique;
  }
  return nullptr;
}

}  // namespace

void route(const std::shared_ptr<HttpSession>& session, Request request) {
  SharedState& state = session->state();
  state.stats().requests.fetch_add(1, std::memory_order_relaxed);
  const bool get = request.method() == http::verb::get;
  try {
    const Target target = Target::parse(request.target());
    if (target.path == "/healthz") return session->send(get ? Reply::text(200, "text/plain", "ok") : method_not_allowed("GET"));
    if (target.path == "/stats") return session->send(get ? Reply::json(200, state.stats_json()) : method_not_allowed("GET"));
    if (target.path == "/publisher") {
      const bool allowed = get || request.method() == http::verb::post;
      return session->send(allowed ? publisher_rate(state, request, target) : method_not_allowed("GET, POST"));
    }
    if (state.options().technique == "all" && get) {
      if (auto file = demo_file(state.options().web_dir, target.path)) return session->send(std::move(*file));
    }
    if (target.path == "/publish") {
      return session->send(request.method() == http::verb::post ? publish(state, request) : method_not_allowed("POST"));
    }
    const Technique* technique = technique_at(state.options(), target.path);
    if (!technique) return session->send(Reply::error(404, "no such endpoint"));
    if (!get) return session->send(method_not_allowed("GET"));
    technique->serve(session, request, target);
  } catch (const BadRequest& bad) {
    session->send(Reply::error(400, bad.what()));
  }
}

}  // namespace pushbench
