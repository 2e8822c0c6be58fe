#include "servers/stream_session.hpp"

#include <boost/asio/post.hpp>

namespace pushbench {

StreamSession::StreamSession(SharedState& state, boost::asio::any_io_executor executor,
                             std::atomic<std::uint64_t>& gauge)
    : state_(state), executor_(std::move(executor)), gauge_(gauge), limit_(state.options().max_queued_events) {}

StreamSession::~StreamSession() { state_.unsubscribe(this); }

void StreamSession::deliver(EventPtr event) {
  boost::asio::post(executor_, [self = shared_from_this(), event = std::move(event)]() mutable {
    if (event->seq <= self->cursor_) return;
    const std::string_view bytes = self->encoding(*event);
    self->push(Frame{std::move(event), bytes});
  });
}

void StreamSession::shutdown() {
  boost::asio::post(executor_, [self = shared_from_this()] {
    if (self->stopped_) return;
    self->stop();
    self->close_gracefully();
  });
}

void StreamSession::subscribe(std::optional<std::uint64_t> since) {
  cursor_ = since.value_or(0);
  std::vector<EventPtr> backlog = state_.subscribe(shared_from_this(), since);
  limit_ += backlog.size();  // catching up on a resume is not slowness
  for (EventPtr& event : backlog) {
    const std::string_view bytes = encoding(*event);
    push(Frame{std::move(event), bytes});
  }
}

void StreamSession::push(Frame frame) {
  if (stopped_) return;
  if (queue_.size() >= limit_) {
    state_.stats().slow_consumers_dropped.fetch_add(1, std::memory_order_relaxed);
    stop();
    return cut_off();
  }
  queue_.push_back(std::move(frame));
  if (!writing_) {
    writing_ = true;
    write_queued();
  }
}

void StreamSession::written(std::size_t frames, std::size_t wire_bytes) {
  std::size_t events = 0;
  for (std::size_t i = 0; i < frames; ++i) {
    events += queue_.front().event ? 1 : 0;
    queue_.pop_front();
  }
  frames_written_ += frames;
  state_.stats().add_delivery(events, wire_bytes);
  release_writes();
}

void StreamSession::release_writes() {
  writing_ = !queue_.empty() && !stopped_;
  if (writing_) write_queued();
}

void StreamSession::stop() {
  stopped_ = true;  // the queue stays: a write in flight may still be using its buffers
  state_.unsubscribe(this);
}

}  // namespace pushbench
