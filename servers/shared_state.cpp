#include "servers/shared_state.hpp"

#include <sstream>

namespace pushbench {

namespace {
EventFormat event_format(const ServerOptions& o) {
  return EventFormat{.event_types = o.event_types, .sse_multiline = o.sse_multiline};
}
}  // namespace

SharedState::SharedState(ServerOptions options)
    : options_(std::move(options)), log_(options_.history, options_.history_bytes, event_format(options_)) {
  if (!options_.backplane.empty()) {
    backplane_ = std::make_unique<Backplane>(options_.backplane, options_.history,
                                             [this](const Backplane::Entry& entry) { deliver(entry); });
  }
}

std::uint64_t SharedState::publish(std::int64_t ts, std::string_view data, std::string_view from, PayloadKind kind) {
  if (backplane_) {
    const std::uint64_t seq = backplane_->publish(ts, data, from, kind);
    if (seq == 0) stats_.publish_failed.fetch_add(1, std::memory_order_relaxed);
    return seq;
  }
  std::lock_guard lock(mutex_);
  const EventPtr& event = log_.append(ts, data, from, kind);
  fan_out(event);
  return event->seq;
}

void SharedState::deliver(const Backplane::Entry& entry) {
  std::lock_guard lock(mutex_);
  fan_out(log_.append_at(entry.seq, entry.ts, entry.data, entry.from, entry.kind));
}

void SharedState::fan_out(const EventPtr& event) {
  stats_.published.fetch_add(1, std::memory_order_relaxed);
  for (const auto& [key, weak] : streams_) {
    if (auto stream = weak.lock()) stream->deliver(event);
  }
  for (const auto& [key, weak] : waiters_) {
    if (auto waiter = weak.lock()) waiter->deliver(event);
  }
  waiters_.clear();  // a long poll is answered once
}

std::vector<EventPtr> SharedState::older_than_log(std::optional<std::uint64_t> since, std::size_t max) {
  std::vector<EventPtr> older;
  if (!backplane_ || !since) return older;
  std::uint64_t first = 0;
  {
    std::lock_guard lock(mutex_);
    first = log_.first_retained_seq();
  }
  if (*since + 1 >= first) return older;
  // Outside the lock: these are older than anything the log can still gain.
  backplane_->read_range(*since + 1, first - 1, max, [&](const Backplane::Entry& e) {
    older.push_back(encode_event(e.seq, e.ts, e.data, e.from, e.kind, event_format(options_)));
  });
  return older;
}

std::vector<EventPtr> SharedState::read(std::uint64_t since) {
  std::vector<EventPtr> events = older_than_log(since, options_.max_batch);
  if (!events.empty()) return events;  // the next poll goes on from the last of them
  std::lock_guard lock(mutex_);
  log_.read_since(since, options_.max_batch, options_.max_batch_bytes, events);
  return events;
}

std::uint64_t SharedState::last_seq() {
  std::lock_guard lock(mutex_);
  return log_.last_seq();
}

std::uint64_t SharedState::backlog(std::optional<std::uint64_t> since, std::vector<EventPtr>& out) {
  out = older_than_log(since, options_.history);
  if (!out.empty()) since = out.back()->seq;
  std::lock_guard lock(mutex_);
  return read_backlog(since, out);
}

std::uint64_t SharedState::read_backlog(std::optional<std::uint64_t> since, std::vector<EventPtr>& out) const {
  if (since) log_.read_since(*since, log_.size(), SIZE_MAX, out);
  return log_.last_seq();
}

void SharedState::subscribe(const std::shared_ptr<Subscriber>& subscriber) {
  std::lock_guard lock(mutex_);
  streams_.emplace(subscriber.get(), subscriber);
}

void SharedState::subscribe(const std::shared_ptr<Mailbox>& stream, std::optional<std::uint64_t> since) {
  std::vector<EventPtr> backlog = older_than_log(since, options_.history);
  const std::optional<std::uint64_t> after = backlog.empty() ? since : std::optional(backlog.back()->seq);
  std::lock_guard lock(mutex_);
  read_backlog(after, backlog);
  stream->open(std::move(backlog), since);
  streams_.emplace(stream.get(), stream);
}

void SharedState::unsubscribe(const Subscriber* stream) {
  std::lock_guard lock(mutex_);
  streams_.erase(stream);
}

std::vector<EventPtr> SharedState::read_or_wait(std::uint64_t since, const std::shared_ptr<Subscriber>& waiter) {
  std::vector<EventPtr> events = older_than_log(since, options_.max_batch);
  if (!events.empty()) return events;
  std::lock_guard lock(mutex_);
  log_.read_since(since, options_.max_batch, options_.max_batch_bytes, events);
  if (events.empty()) waiters_.emplace(waiter.get(), waiter);
  return events;
}

void SharedState::cancel_wait(const Subscriber* waiter) {
  std::lock_guard lock(mutex_);
  waiters_.erase(waiter);
}

std::size_t SharedState::shutdown_all() {
  std::lock_guard lock(mutex_);
  std::size_t count = 0;
  for (Registry* registry : {&streams_, &waiters_}) {
    for (const auto& [key, weak] : *registry) {
      if (auto subscriber = weak.lock()) subscriber->shutdown(), ++count;
    }
  }
  return count;
}

std::string SharedState::stats_json() {
  std::uint64_t last = 0, retained = 0, retained_bytes = 0;
  {
    std::lock_guard lock(mutex_);
    last = log_.last_seq();
    retained = log_.size();
    retained_bytes = log_.memory_bytes();
  }
  const auto get = [](const std::atomic<std::uint64_t>& counter) { return counter.load(std::memory_order_relaxed); };
  std::ostringstream out;
  out << "{\"connections\":" << get(stats_.connections)
      << ",\"connections_accepted\":" << get(stats_.connections_accepted)
      << ",\"connections_rejected\":" << get(stats_.connections_rejected) << ",\"requests\":" << get(stats_.requests)
      << ",\"bad_requests\":" << get(stats_.bad_requests) << ",\"published\":" << get(stats_.published)
      << ",\"publish_failed\":" << get(stats_.publish_failed) << ",\"client_messages\":" << get(stats_.client_messages)
      << ",\"delivered\":" << get(stats_.delivered) << ",\"bytes_out\":" << get(stats_.bytes_out)
      << ",\"write_calls\":" << get(stats_.write_calls)
      << ",\"slow_consumers_dropped\":" << get(stats_.slow_consumers_dropped)
      << ",\"sse_streams\":" << get(stats_.sse_streams) << ",\"websockets\":" << get(stats_.websockets)
      << ",\"other_streams\":" << get(stats_.other_streams)
      << ",\"long_polls_waiting\":" << get(stats_.long_polls_waiting)
      << ",\"tls_handshakes\":" << get(stats_.tls_handshakes) << ",\"tls_resumed\":" << get(stats_.tls_resumed)
      << ",\"tls_handshake_failures\":" << get(stats_.tls_handshake_failures)
      << ",\"tls\":" << (options_.tls.enabled() ? "true" : "false") << ",\"last_seq\":" << last
      << ",\"history_events\":" << retained << ",\"history_bytes\":" << retained_bytes << ",\"technique\":\""
      << options_.technique << "\",\"backend\":\"" << options_.backend << "\",\"threads\":" << options_.threads
      << ",\"event_types\":" << options_.event_types << "}";  // threads 0: the backend's default
  return out.str();
}

}  // namespace pushbench
