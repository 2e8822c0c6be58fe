#include "servers/beast/stream_session.hpp"

#include <utility>

#include "servers/beast/io_thread.hpp"
#include "servers/limits.hpp"

namespace pushbench {

StreamSession::StreamSession(Handover connection, SharedState& state, std::atomic<std::uint64_t>& gauge,
                             Encoding encoding, std::string_view event_end)
    : Mailbox(state.stats(), state.options().max_queued_events, state.options().max_queued_bytes),
      link_(std::move(connection.link)),
      state_(state),
      slot_(std::move(connection.slot)),
      thread_(connection.thread),
      encoding_(encoding),
      event_end_(event_end),
      gauge_(gauge) {}

void StreamSession::offer(const std::vector<EventPtr>& events) {
  const auto self = shared_from_this();  // a write error may close it
  // One write for them all, in pieces of at most half the bounds: a walk's events are not a
  // backlog of this subscriber's unless a write of its own holds them back.
  const ServerOptions& options = state_.options();
  std::uint64_t count = 0, bytes = 0;
  for (const EventPtr& event : events) {
    deliver(event);
    bytes += event->memory_bytes();
    if (++count >= options.max_queued_events / 2 || bytes >= options.max_queued_bytes / 2) {
      if (pull_due_) pull();
      count = bytes = 0;
    }
  }
  if (pull_due_) pull();
}

void StreamSession::end() {
  const auto self = shared_from_this();
  shutdown();
  if (pull_due_) pull();
}

void StreamSession::give_up() {
  state_.stats().slow_consumers_dropped.fetch_add(1, std::memory_order_relaxed);
  close();
}

void StreamSession::subscribe(std::optional<std::uint64_t> since, std::string head) {
  own_bytes_.push_back(std::move(head));
  std::vector<EventPtr> backlog;
  const std::uint64_t last = state_.backlog(since, backlog);
  // What the walk still brings up to `last` is in the backlog already (or before the cursor).
  open(std::move(backlog), std::max(since.value_or(0), last));
  thread_.add(*this);
  pull();
}

void StreamSession::send(std::string bytes) {
  if (phase_ != Phase::streaming) return;
  // Heartbeats and pongs pile up only behind a write that does not finish: the client is not reading.
  if (own_bytes_.size() >= limits::max_queued_own_frames) return give_up();
  own_bytes_.push_back(std::move(bytes));
  flush();
}

void StreamSession::end_with(std::string last_words) {
  if (phase_ != Phase::streaming) return;
  phase_ = Phase::ending;
  unlink();  // no more events
  last_words_ = std::move(last_words);
  flush();
}

void StreamSession::close() {
  if (phase_ == Phase::closed) return;
  phase_ = Phase::closed;
  unlink();
  on_close();
  link_.close();
}

void StreamSession::pull() {
  pull_due_ = false;
  if (phase_ != Phase::streaming) return;
  // A write in flight keeps batch_; an overflow is acted on at once all the same, a stop once the
  // write is done (written() comes back here), so that the goodbye follows it.
  switch (writing_ ? status() : take(batch_)) {
    case Status::open:
      return flush();
    case Status::overflowed:
      return close();
    case Status::shut_down:
      if (!writing_) end_with(goodbye());
      return;
  }
}

void StreamSession::flush() {
  const bool last_words_due = phase_ == Phase::ending && last_words_;
  if (writing_ || phase_ == Phase::closed || (own_bytes_.empty() && batch_.empty() && !last_words_due)) return;
  writing_ = true;
  own_bytes_sending_.swap(own_bytes_);
  gather_.clear();
  for (const std::string& bytes : own_bytes_sending_) gather_.emplace_back(boost::asio::buffer(bytes));
  for (const EventPtr& event : batch_) {
    gather_.emplace_back(boost::asio::buffer(encoding_(*event)));
    if (!event_end_.empty()) gather_.emplace_back(boost::asio::buffer(event_end_));
  }
  if (last_words_due) gather_.emplace_back(boost::asio::buffer(*last_words_));  // after the last events
  last_words_sending_ = last_words_due;
  const FirstWrite first = link_.write_now(gather_);
  if (first.error) return close();
  if (first.complete) return written(first.sent, 1);
  link_.write_rest(gather_, first.sent,
                   [self = shared_from_this(), this](boost::system::error_code ec, std::size_t bytes) {
                     if (ec) return close();
                     written(bytes, 2);  // at least
                   });
}

void StreamSession::written(std::size_t bytes, std::size_t writes) {
  state_.stats().add_delivery(batch_.size(), bytes, writes);
  batch_.clear();
  own_bytes_sending_.clear();
  ++writes_;
  writing_ = false;
  switch (phase_) {
    case Phase::streaming:
      return pull();
    case Phase::ending:
      if (std::exchange(last_words_sending_, false)) return last_words_.reset(), said_goodbye();
      return flush();
    case Phase::closed:
      return;
  }
}

}  // namespace pushbench
