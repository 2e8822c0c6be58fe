#include "core/event_log.hpp"

#include <gtest/gtest.h>

namespace pushbench {
namespace {

std::vector<std::uint64_t> seqs_since(const EventLog& log, std::uint64_t since, std::size_t max = 1000,
                                      std::size_t max_bytes = SIZE_MAX) {
  std::vector<EventPtr> events;
  log.read_since(since, max, max_bytes, events);
  std::vector<std::uint64_t> out;
  for (const EventPtr& e : events) out.push_back(e->seq);
  return out;
}

TEST(EventLog, AssignsSequenceNumbersFromOne) {
  EventLog log(8, 1 << 20);
  EXPECT_EQ(log.last_seq(), 0u);
  EXPECT_EQ(log.append(100, "a")->seq, 1u);
  EXPECT_EQ(log.append(200, "b")->seq, 2u);
  EXPECT_EQ(log.last_seq(), 2u);
}

TEST(EventLog, CursorReadsReturnEventsAfterTheCursor) {
  EventLog log(8, 1 << 20);
  for (int i = 0; i < 5; ++i) log.append(i, "x");
  EXPECT_EQ(seqs_since(log, 0), (std::vector<std::uint64_t>{1, 2, 3, 4, 5}));
  EXPECT_EQ(seqs_since(log, 3), (std::vector<std::uint64_t>{4, 5}));
  EXPECT_TRUE(seqs_since(log, 5).empty());
  EXPECT_TRUE(seqs_since(log, 99).empty()) << "a cursor from the future waits for later events";
}

TEST(EventLog, ReadsAreLimitedToMaxOldestFirst) {
  EventLog log(8, 1 << 20);
  for (int i = 0; i < 6; ++i) log.append(i, "x");
  EXPECT_EQ(seqs_since(log, 1, 2), (std::vector<std::uint64_t>{2, 3}));
}

TEST(EventLog, WrapsAroundKeepingTheNewest) {
  EventLog log(4, 1 << 20);
  for (int i = 0; i < 10; ++i) log.append(i, "x");
  EXPECT_EQ(log.size(), 4u);
  EXPECT_EQ(log.first_retained_seq(), 7u);
  EXPECT_EQ(seqs_since(log, 7), (std::vector<std::uint64_t>{8, 9, 10}));
  EXPECT_EQ(log.append(10, "y")->seq, 11u);
  EXPECT_EQ(seqs_since(log, 8), (std::vector<std::uint64_t>{9, 10, 11}));
}

TEST(EventLog, CursorOlderThanHistoryGetsWhatIsRetainedShowingTheHole) {
  EventLog log(3, 1 << 20);
  for (int i = 0; i < 10; ++i) log.append(i, "x");
  EXPECT_EQ(seqs_since(log, 2), (std::vector<std::uint64_t>{8, 9, 10}));
  EXPECT_EQ(seqs_since(log, 0), (std::vector<std::uint64_t>{8, 9, 10}));
}

TEST(EventLog, ByteBoundDropsOldestButKeepsTheNewestEvent) {
  const std::string big(1000, 'z');
  EventLog log(100, 5000);
  for (int i = 0; i < 10; ++i) log.append(i, big);
  EXPECT_LE(log.memory_bytes(), 5000u);
  EXPECT_GE(log.size(), 1u);
  EXPECT_LT(log.size(), 10u);
  EXPECT_EQ(seqs_since(log, 0).back(), 10u);

  EventLog tiny(100, 10);
  tiny.append(0, big);
  EXPECT_EQ(tiny.size(), 1u) << "an event larger than the byte bound is still kept alone";
}

TEST(EventLog, EventsAreSharedNotCopied) {
  EventLog log(4, 1 << 20);
  const EventPtr& appended = log.append(1, "shared");
  std::vector<EventPtr> a, b;
  log.read_since(0, 10, SIZE_MAX, a);
  log.read_since(0, 10, SIZE_MAX, b);
  EXPECT_EQ(a[0].get(), appended.get());
  EXPECT_EQ(b[0].get(), appended.get());
}

TEST(EventLog, ABatchIsBoundedInBytesButAlwaysHoldsOneEvent) {
  EventLog log(16, 1 << 20);
  const std::string kib(1024, 'k');
  for (int i = 0; i < 5; ++i) log.append(1, kib);
  const std::size_t one = log.append(1, kib)->json.size();
  EXPECT_EQ(seqs_since(log, 0, 1000, 2 * one), (std::vector<std::uint64_t>{1, 2}));
  EXPECT_EQ(seqs_since(log, 0, 1000, 10), (std::vector<std::uint64_t>{1}));  // larger than the bound: still one
  EXPECT_EQ(seqs_since(log, 4, 1000, SIZE_MAX), (std::vector<std::uint64_t>{5, 6}));
}

TEST(EventLog, EventsNumberedElsewhereKeepTheirSeqAndAHoleStartsTheRingAgain) {
  EventLog log(8, 1 << 20);
  log.append_at(41, 1, "a");  // a node that joins late starts where the backplane is
  log.append_at(42, 1, "b");
  EXPECT_EQ(seqs_since(log, 0, 10, SIZE_MAX), (std::vector<std::uint64_t>{41, 42}));
  log.append_at(50, 1, "c");  // a hole: the ring holds consecutive seqs, so only 50 is left
  EXPECT_EQ(log.first_retained_seq(), 50u);
  EXPECT_EQ(seqs_since(log, 0, 10, SIZE_MAX), (std::vector<std::uint64_t>{50}));
  EXPECT_EQ(log.append(1, "d")->seq, 51u);
  EXPECT_THROW(log.append_at(51, 1, "again"), std::invalid_argument);
}

TEST(EventLog, RejectsZeroCapacity) { EXPECT_THROW(EventLog(0, 100), std::invalid_argument); }

}  // namespace
}  // namespace pushbench
