// HTTP long polling: each answer's `next` goes straight back in the next request. The first
// request asks with timeout_ms=0 so that it returns at once with the cursor to start from; a
// server of the http-cache dialect (nchan) holds it until the next event instead, so it gets a
// held poll's deadline, and its connection counts as established at that first event.
#include "clients/poll_connection.hpp"
#include "clients/techniques/technique.hpp"

namespace pushbench {
namespace {

class LongPoll final : public PollConnection {
 public:
  LongPoll(Worker& worker, std::size_t index) : PollConnection(worker, index) {
    const ClientOptions& o = worker.options();
    prepare(endpoint_target("?timeout_ms=0"), o.http_cache_cursor ? o.long_poll_timeout + o.timeout : o.timeout);
  }

 private:
  void on_answer(std::string_view body) override {
    if (!read_answer(body)) return;
    const ClientOptions& o = worker_.options();
    const auto hold = std::chrono::duration_cast<std::chrono::milliseconds>(o.long_poll_timeout);
    poll(after_cursor("timeout_ms=" + std::to_string(hold.count())), o.long_poll_timeout + o.timeout);
  }
};

}  // namespace

std::shared_ptr<Connection> connect_long_poll(Worker& worker, std::size_t index) {
  return std::make_shared<LongPoll>(worker, index);
}

}  // namespace pushbench
