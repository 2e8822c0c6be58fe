#include "servers/httplib/httplib_exchange.hpp"

#include <httplib.h>

#include "servers/httplib/blocking_wait.hpp"

namespace pushbench {
namespace {

// An open stream: its subscription and what it still has to write; the connection is counted
// for as long as the stream lives, after the handler has returned.
struct OpenStream {
  OpenStream(SharedState& s, EventStream p)
      : state(s),
        plan(std::move(p)),
        mailbox(
            std::make_shared<BlockingMailbox>(s.stats(), s.options().max_queued_events, s.options().max_queued_bytes)),
        slot(s.stats()),
        gauge(*plan.gauge) {}
  ~OpenStream() { state.unsubscribe(mailbox.get()); }

  // Writes what arrived, or the heartbeat after a quiet interval; false ends the stream.
  bool write_next(httplib::DataSink& sink) {
    if (!preamble_sent) {
      preamble_sent = true;
      return sink.write(plan.preamble.data(), plan.preamble.size());
    }
    switch (mailbox->take(pending)) {
      case Mailbox::Status::open:
        break;
      case Mailbox::Status::overflowed:
        return false;
      case Mailbox::Status::shut_down:  // the server is stopping: the farewell, then the connection ends
        if (!plan.farewell.empty()) sink.write(plan.farewell.data(), plan.farewell.size());
        return false;
    }
    if (pending.empty()) {
      if (mailbox->signal.wait(state.options().heartbeat)) return true;  // something came: take it
      return sink.write(plan.heartbeat.data(), plan.heartbeat.size());
    }
    std::uint64_t bytes = 0, writes = 0;
    for (const EventPtr& event : pending) {
      for (const std::string_view bytes_out : {plan.encoding(*event), plan.event_end}) {
        if (!bytes_out.empty() && !sink.write(bytes_out.data(), bytes_out.size())) return false;
        bytes += bytes_out.size();
        writes += !bytes_out.empty();
      }
    }
    state.stats().add_delivery(pending.size(), bytes, writes);
    pending.clear();
    return true;
  }

  SharedState& state;
  EventStream plan;
  std::shared_ptr<BlockingMailbox> mailbox;
  std::vector<EventPtr> pending;
  bool preamble_sent = false;
  ConnectionSlot slot;
  GaugeHold gauge;
};

}  // namespace

HttplibExchange::HttplibExchange(SharedState& state, const httplib::Request& request, httplib::Response& response)
    : state_(state), request_(request), response_(response) {}

std::string_view HttplibExchange::method() const { return request_.method; }
std::string_view HttplibExchange::target() const { return request_.target; }
std::string_view HttplibExchange::body() const { return request_.body; }

std::string_view HttplibExchange::header(std::string_view name) const {
  const auto field = request_.headers.find(std::string(name));  // cpp-httplib compares names without case
  return field == request_.headers.end() ? std::string_view{} : std::string_view(field->second);
}

void HttplibExchange::answer(Reply reply) {
  response_.status = static_cast<int>(reply.status());
  response_.set_header("Cache-Control", "no-store");
  for (const auto& [name, value] : reply.headers()) response_.set_header(name.c_str(), value);
  std::string body = reply.body();
  // cpp-httplib writes the head and the body: its bytes are not counted, its write is.
  state_.stats().add_delivery(reply.event_count(), body.size(), 1);
  response_.set_content(std::move(body), std::string(reply.content_type()).c_str());
}

void HttplibExchange::hold(HeldAnswer held) {
  const auto deadline = std::chrono::steady_clock::now() + held.timeout;
  auto waiter = std::make_shared<BlockingWaiter>();
  GaugeHold waiting(state_.stats().long_polls_waiting);
  std::optional<Reply> reply;
  while (!(reply = held.try_answer(waiter)) && !waiter->stopping) {
    const auto left = deadline - std::chrono::steady_clock::now();
    if (left <= std::chrono::nanoseconds(0)) break;
    waiter->signal.wait(left);
  }
  state_.cancel_wait(waiter.get());
  answer(reply ? std::move(*reply) : held.timed_out());
}

void HttplibExchange::stream(EventStream plan) {
  auto open = std::make_shared<OpenStream>(state_, std::move(plan));
  state_.subscribe(open->mailbox, open->plan.since);
  response_.set_header("Cache-Control", "no-store");
  response_.set_content_provider(std::string(open->plan.content_type).c_str(),
                                 [open](std::size_t, httplib::DataSink& sink) { return open->write_next(sink); });
}

void HttplibExchange::upgrade_websocket(std::optional<std::uint64_t>, std::string) {
  answer(Reply::error(501, "this backend has no WebSocket"));  // the table says so: the router never asks
}

}  // namespace pushbench
