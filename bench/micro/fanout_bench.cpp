// The event-loop server's fan-out without its system calls: what an io thread's walk does for each
// subscriber besides the write (a mailbox delivery, the writer's take, the gather list of the
// write). The kernel's write is pushbench-floor's to measure; this is the part that is ours.
#include <benchmark/benchmark.h>

#include <boost/asio/buffer.hpp>
#include <memory>
#include <utility>
#include <vector>

#include "servers/mailbox.hpp"
#include "servers/stats.hpp"

namespace pushbench {
namespace {

class Inbox final : public Mailbox {
 public:
  using Mailbox::Mailbox;
  bool due = false;

 private:
  void wake() override { due = true; }
};

void BM_FanoutBookkeeping(benchmark::State& state) {
  Stats stats;
  const auto subscribers = static_cast<std::size_t>(state.range(0));
  std::vector<std::unique_ptr<Inbox>> inboxes;
  for (std::size_t i = 0; i < subscribers; ++i) inboxes.push_back(std::make_unique<Inbox>(stats, 1024, 4u << 20));
  for (auto& inbox : inboxes) inbox->open({}, 0);
  std::vector<EventPtr> batch;
  std::vector<boost::asio::const_buffer> gather;
  std::uint64_t seq = 0;
  for (auto _ : state) {
    const EventPtr event = encode_event(++seq, 0, "0123456789012345678901234567890123456789012345678901234567890123");
    for (auto& inbox : inboxes) {
      inbox->deliver(event);
      if (!std::exchange(inbox->due, false)) continue;
      inbox->take(batch);
      gather.clear();
      for (const EventPtr& taken : batch) gather.emplace_back(boost::asio::buffer(taken->sse));
      benchmark::DoNotOptimize(gather.data());
      batch.clear();
    }
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));  // deliveries
}
BENCHMARK(BM_FanoutBookkeeping)->Arg(100)->Arg(1000)->Arg(10000);

}  // namespace
}  // namespace pushbench
