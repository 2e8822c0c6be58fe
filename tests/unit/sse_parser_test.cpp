#include "core/sse_parser.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace pushbench {
namespace {

struct Seen {
  std::string type, data, id;
  bool operator==(const Seen&) const = default;
};

std::ostream& operator<<(std::ostream& out, const Seen& s) {
  return out << "{" << s.type << "|" << s.data << "|" << s.id << "}";
}

std::vector<Seen> parse_in_chunks(std::string_view stream, const std::vector<std::size_t>& cuts) {
  SseParser parser;
  std::vector<Seen> seen;
  std::size_t from = 0;
  auto on_event = [&](const SseParser::Event& e) {
    seen.push_back({std::string(e.type), std::string(e.data), std::string(e.last_event_id)});
  };
  for (std::size_t cut : cuts) {
    parser.feed(stream.substr(from, cut - from), on_event);
    from = cut;
  }
  parser.feed(stream.substr(from), on_event);
  return seen;
}

std::vector<Seen> parse(std::string_view stream) { return parse_in_chunks(stream, {}); }

// The same events whatever the chunk boundaries: every single split, and one byte at a time.
void expect_any_chunking(std::string_view stream, const std::vector<Seen>& expected) {
  EXPECT_EQ(parse(stream), expected);
  for (std::size_t cut = 0; cut <= stream.size(); ++cut) {
    EXPECT_EQ(parse_in_chunks(stream, {cut}), expected) << "split at " << cut;
  }
  for (std::size_t a = 0; a <= stream.size(); ++a) {
    for (std::size_t b = a; b <= stream.size(); ++b)
      ASSERT_EQ(parse_in_chunks(stream, {a, b}), expected) << a << "," << b;
  }
  std::vector<std::size_t> every;
  for (std::size_t i = 1; i < stream.size(); ++i) every.push_back(i);
  EXPECT_EQ(parse_in_chunks(stream, every), expected) << "one byte at a time";
}

TEST(SseParser, WhatwgExampleStockTicker) {
  expect_any_chunking("data: YHOO\ndata: +2\ndata: 10\n\n", {{"message", "YHOO\n+2\n10", ""}});
}

TEST(SseParser, WhatwgExampleCommentsAndIds) {
  expect_any_chunking(
      ": test stream\n\ndata: first event\nid: 1\n\ndata:second event\nid\n\ndata:  third event\n\n",
      {{"message", "first event", "1"}, {"message", "second event", ""}, {"message", " third event", ""}});
}

TEST(SseParser, WhatwgExampleEmptyDataAndNoTrailingBlankLine) {
  expect_any_chunking("data\n\ndata\ndata\n\ndata:", {{"message", "", ""}, {"message", "\n", ""}});
}

TEST(SseParser, WhatwgExampleSpaceAfterColonIsOptional) {
  expect_any_chunking("data:test\n\ndata: test\n\n", {{"message", "test", ""}, {"message", "test", ""}});
}

TEST(SseParser, CrAndCrlfLineEnds) {
  expect_any_chunking("data: a\r\rdata: b\r\n\r\nid: 7\rdata: c\r\n\n",
                      {{"message", "a", ""}, {"message", "b", ""}, {"message", "c", "7"}});
}

TEST(SseParser, EventTypeAppliesToOneEvent) {
  expect_any_chunking("event: tick\ndata: 1\n\ndata: 2\n\n", {{"tick", "1", ""}, {"message", "2", ""}});
}

TEST(SseParser, LeadingBomIsDroppedOnce) {
  expect_any_chunking(
      "\xEF\xBB\xBF"
      "data: x\n\n",
      {{"message", "x", ""}});
  EXPECT_EQ(parse("\xEF\xBB\xBF\xEF\xBB\xBF"
                  "data: x\n\n"),
            std::vector<Seen>{})
      << "a second BOM is part of a field name";
}

TEST(SseParser, IdPersistsAndNulIdIsIgnored) {
  using namespace std::string_literals;
  expect_any_chunking("id: 5\ndata: a\n\ndata: b\n\nid: 6\0x\ndata: c\n\n"s,
                      {{"message", "a", "5"}, {"message", "b", "5"}, {"message", "c", "5"}});
}

TEST(SseParser, RetryTakesDigitsOnlyAndCommentsAreCounted) {
  SseParser parser;
  auto ignore = [](const SseParser::Event&) {};
  parser.feed("retry: 1500\n:hb\n:\nretry: 2x\nretry: -5\n\n", ignore);
  EXPECT_EQ(parser.retry_ms(), 1500u);
  EXPECT_EQ(parser.comments(), 2u);
}

TEST(SseParser, UnknownFieldsAndEmptyEventsAreIgnored) {
  expect_any_chunking("foo: bar\n\nevent: x\n\ndata: y\n\n", {{"message", "y", ""}});
}

TEST(SseParser, IdOnlyBlockUpdatesLastEventIdWithoutAnEvent) {
  SseParser parser;
  int events = 0;
  parser.feed("id: 42\n\n", [&](const SseParser::Event&) { ++events; });
  EXPECT_EQ(events, 0);
  EXPECT_EQ(parser.last_event_id(), "42");
}

TEST(SseParser, ResetDropsPartialEventButKeepsLastEventId) {
  SseParser parser;
  std::vector<std::string> data;
  auto on_event = [&](const SseParser::Event& e) { data.emplace_back(e.data); };
  parser.feed("id: 3\ndata: whole\n\ndata: half", on_event);
  parser.reset_stream();
  parser.feed("data: next\n\n", on_event);
  EXPECT_EQ(data, (std::vector<std::string>{"whole", "next"}));
  EXPECT_EQ(parser.last_event_id(), "3");
}

TEST(SseParser, PushbenchServerFrames) {
  expect_any_chunking("retry: 1000\n\nid: 1\ndata: {\"seq\":1,\"ts\":5,\"data\":\"a\"}\n\n:\n\n",
                      {{"message", "{\"seq\":1,\"ts\":5,\"data\":\"a\"}", "1"}});
}

}  // namespace
}  // namespace pushbench
