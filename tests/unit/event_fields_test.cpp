#include "core/event_fields.hpp"

#include <gtest/gtest.h>

#include "core/event.hpp"

namespace pushbench {
namespace {

TEST(EventFields, ReadsSeqAndTsOfOurEncoding) {
  const EventPtr e = encode_event(12, 1700000000000000001, R"(tricky "seq":99,"ts":1 data)");
  EventFields f;
  ASSERT_TRUE(read_event_fields(e->json, f));
  EXPECT_EQ(f.seq, 12u);
  EXPECT_EQ(f.ts, 1700000000000000001);
}

TEST(EventFields, AnyKeyOrderAndSpaces) {
  EventFields f;
  ASSERT_TRUE(read_event_fields(R"({ "data" : "x", "ts" : 77 , "seq" : 3 })", f));
  EXPECT_EQ(f.seq, 3u);
  EXPECT_EQ(f.ts, 77);
}

TEST(EventFields, MissingOrBadFieldsAreRejected) {
  EventFields f;
  EXPECT_FALSE(read_event_fields(R"({"ts":1})", f));
  EXPECT_FALSE(read_event_fields(R"({"seq":1})", f));
  EXPECT_FALSE(read_event_fields(R"({"seq":"1","ts":2})", f));
  EXPECT_FALSE(read_event_fields(R"({"seq":-1,"ts":2})", f));
  EXPECT_FALSE(read_event_fields("garbage", f));
}

TEST(EventFields, PollBody) {
  std::vector<std::uint64_t> seqs;
  std::uint64_t next = 0;
  const std::string body =
      R"({"events":[{"seq":4,"ts":10,"data":"}]{\"seq\":9"},{"seq":5,"ts":11,"data":"b"}],"next":5})";
  ASSERT_TRUE(read_poll_body(body, next, [&](const EventFields& f) { seqs.push_back(f.seq); }));
  EXPECT_EQ(seqs, (std::vector<std::uint64_t>{4, 5}));
  EXPECT_EQ(next, 5u);
  ASSERT_TRUE(read_poll_body(R"({"events":[],"next":17})", next, [&](const EventFields&) { FAIL(); }));
  EXPECT_EQ(next, 17u);
  EXPECT_FALSE(read_poll_body(R"({"events":[]})", next, [](const EventFields&) {}));
  EXPECT_FALSE(read_poll_body("<html>", next, [](const EventFields&) {}));
}

}  // namespace
}  // namespace pushbench
