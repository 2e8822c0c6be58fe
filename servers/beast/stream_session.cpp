#include "servers/beast/stream_session.hpp"

#include <boost/asio/post.hpp>

namespace pushbench {

StreamSession::StreamSession(SharedState& state, boost::asio::any_io_executor executor,
                             std::atomic<std::uint64_t>& gauge)
    : Mailbox(state.stats(), state.options().max_queued_events, state.options().max_queued_bytes),
      state_(state),
      executor_(std::move(executor)),
      gauge_(gauge) {}

StreamSession::~StreamSession() { state_.unsubscribe(this); }

void StreamSession::wake() {
  boost::asio::post(executor_, [self = shared_from_this()] { self->pull(); });
}

void StreamSession::subscribe(std::optional<std::uint64_t> since) {
  state_.subscribe(std::static_pointer_cast<Mailbox>(shared_from_this()), since);
}

void StreamSession::pull() {
  if (stopped_) return;
  // A write in flight keeps batch_; an overflow is acted on at once all the same, a stop once the
  // write is done (written() comes back here), so that the goodbye follows it.
  switch (writing_ ? status() : take(batch_)) {
    case Status::open:
      break;
    case Status::overflowed:
      return stop(), cut_off();
    case Status::shut_down:
      if (writing_) return;
      return stop(), close_gracefully();
  }
  if (writing_ || (batch_.empty() && control_.empty())) return;
  writing_ = true;
  write_batch();
}

void StreamSession::written(std::size_t wire_bytes) {
  state_.stats().add_delivery(batch_.size(), wire_bytes);
  batch_.clear();
  control_.clear();
  ++writes_;
  writing_ = false;
  pull();
}

void StreamSession::stop() {
  stopped_ = true;  // batch_ stays: a write in flight may still be using its buffers
  state_.unsubscribe(this);
}

}  // namespace pushbench
