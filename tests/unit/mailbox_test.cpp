#include "servers/mailbox.hpp"

#include <gtest/gtest.h>

#include "servers/stats.hpp"

namespace pushbench {
namespace {

class CountingMailbox final : public Mailbox {
 public:
  using Mailbox::Mailbox;
  int wakes = 0;

 private:
  void wake() override { ++wakes; }
};

EventPtr event(std::uint64_t seq) { return encode_event(seq, 0, "x"); }

TEST(Mailbox, OneWakeForABatchUntilTheWriterTakes) {
  Stats stats;
  CountingMailbox box(stats, 10, SIZE_MAX);
  box.open({}, std::nullopt);
  for (std::uint64_t seq = 1; seq <= 3; ++seq) box.deliver(event(seq));
  EXPECT_EQ(box.wakes, 1);
  std::vector<EventPtr> taken;
  EXPECT_EQ(box.take(taken), Mailbox::Status::open);
  ASSERT_EQ(taken.size(), 3u);
  EXPECT_EQ(taken.back()->seq, 3u);
  box.deliver(event(4));
  EXPECT_EQ(box.wakes, 2);
}

TEST(Mailbox, OverflowCutsOffCountsAndFreesWhatWasQueued) {
  Stats stats;
  CountingMailbox box(stats, 2, SIZE_MAX);
  box.open({}, std::nullopt);
  const EventPtr pinned = event(1);
  box.deliver(pinned);
  box.deliver(event(2));
  EXPECT_EQ(pinned.use_count(), 2);  // the test's and the mailbox's
  box.deliver(event(3));             // over the bound
  EXPECT_EQ(stats.slow_consumers_dropped.load(), 1u);
  EXPECT_EQ(pinned.use_count(), 1);  // freed at once, not when the connection goes
  EXPECT_EQ(box.status(), Mailbox::Status::overflowed);
  std::vector<EventPtr> taken;
  EXPECT_EQ(box.take(taken), Mailbox::Status::overflowed);
  EXPECT_TRUE(taken.empty());
  box.deliver(event(4));
  EXPECT_EQ(stats.slow_consumers_dropped.load(), 1u);  // counted once
}

TEST(Mailbox, BacklogRaisesTheBoundAndACursorFromTheFutureSkipsLiveEvents) {
  Stats stats;
  CountingMailbox box(stats, 1, SIZE_MAX);
  box.open({event(5), event(6), event(7)}, 8);  // a resume with three to catch up on
  box.deliver(event(8));                        // at the cursor: already seen
  box.deliver(event(9));
  std::vector<EventPtr> taken;
  EXPECT_EQ(box.take(taken), Mailbox::Status::open);
  std::vector<std::uint64_t> seqs;
  for (const EventPtr& e : taken) seqs.push_back(e->seq);
  EXPECT_EQ(seqs, (std::vector<std::uint64_t>{5, 6, 7, 9}));
  box.deliver(event(10));  // the backlog is taken: the bound of one event holds again
  box.deliver(event(11));
  EXPECT_EQ(box.status(), Mailbox::Status::overflowed);
}

TEST(Mailbox, TheBoundInBytesCutsOffBeforeTheBoundInEvents) {
  Stats stats;
  const EventPtr big = encode_event(1, 0, std::string(64 << 10, 'b'));
  CountingMailbox box(stats, 1000, 3 * big->memory_bytes());
  box.open({}, std::nullopt);
  for (std::uint64_t seq = 1; seq <= 3; ++seq) box.deliver(encode_event(seq, 0, std::string(64 << 10, 'b')));
  EXPECT_EQ(box.status(), Mailbox::Status::open);
  box.deliver(encode_event(4, 0, std::string(64 << 10, 'b')));
  EXPECT_EQ(box.status(), Mailbox::Status::overflowed);
  EXPECT_EQ(stats.slow_consumers_dropped.load(), 1u);
}

TEST(Mailbox, ShutdownWakesEvenWhileAWakeIsPending) {
  Stats stats;
  CountingMailbox box(stats, 10, SIZE_MAX);
  box.open({}, std::nullopt);
  box.deliver(event(1));
  box.shutdown();
  EXPECT_EQ(box.wakes, 2);  // a writer stuck in a write must still hear of it
  EXPECT_EQ(box.status(), Mailbox::Status::shut_down);
}

}  // namespace
}  // namespace pushbench
