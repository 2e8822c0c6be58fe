// HTTP long polling: the request is held until an event after the cursor exists or the timeout
// passes; the client asks again at once with the returned cursor.
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "servers/cursor_query.hpp"
#include "servers/techniques/technique.hpp"

namespace pushbench {
namespace {

class LongPoll final : public Subscriber, public std::enable_shared_from_this<LongPoll> {
 public:
  LongPoll(std::shared_ptr<HttpSession> session, std::uint64_t since, std::chrono::milliseconds timeout)
      : session_(std::move(session)),
        timer_(session_->executor()),
        since_(since),
        timeout_(timeout),
        waiting_(session_->state().stats().long_polls_waiting) {}

  ~LongPoll() override { session_->state().cancel_wait(this); }

  void start() {
    if (!answer_if_ready()) {
      timer_.expires_after(timeout_);
      timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
        if (!ec) self->answer(Reply::events({}, self->since_));
      });
    }
  }

  void deliver(EventPtr) override {
    boost::asio::post(session_->executor(), [self = shared_from_this()] { self->answer_if_ready(); });
  }

  void shutdown() override {
    boost::asio::post(session_->executor(), [self = shared_from_this()] {
      self->finish();
      self->session_->close();
    });
  }

 private:
  // Answers when there are events after the cursor; otherwise (re)registers for the next publish,
  // which may still be at or before a cursor the client sent from the future.
  bool answer_if_ready() {
    if (done_) return true;
    std::vector<EventPtr> events = session_->state().read_or_wait(since_, shared_from_this());
    if (events.empty()) return false;
    const std::uint64_t next = next_cursor(events, since_);
    answer(Reply::events(std::move(events), next));
    return true;
  }

  void answer(Reply reply) {
    if (finish()) session_->send(std::move(reply));
  }

  // The first of wake-up, timeout and shutdown wins; returns whether this call was it.
  bool finish() {
    if (done_) return false;
    done_ = true;
    timer_.cancel();
    session_->state().cancel_wait(this);
    return true;
  }

  std::shared_ptr<HttpSession> session_;
  boost::asio::steady_timer timer_;
  std::uint64_t since_;
  std::chrono::milliseconds timeout_;
  GaugeHold waiting_;
  bool done_ = false;
};

}  // namespace

void serve_long_poll(const std::shared_ptr<HttpSession>& session, Request&, const Target& target) {
  SharedState& state = session->state();
  const auto timeout = long_poll_timeout_of(target, state.options());
  const auto since = since_of(target);
  std::make_shared<LongPoll>(session, since ? *since : state.last_seq(), timeout)->start();
}

}  // namespace pushbench
