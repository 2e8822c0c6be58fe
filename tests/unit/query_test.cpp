#include "core/query.hpp"

#include <gtest/gtest.h>

namespace pushbench {
namespace {

TEST(Target, SplitsPathAndDecodesParameters) {
  const Target t = Target::parse("/poll?since=12&name=a%20b+c&flag");
  EXPECT_EQ(t.path, "/poll");
  EXPECT_EQ(t.param("since"), "12");
  EXPECT_EQ(t.param("name"), "a b c");
  EXPECT_EQ(t.param("flag"), "");
  EXPECT_FALSE(t.param("missing"));
}

TEST(Target, UintParameters) {
  const Target t = Target::parse("/long-poll?since=0&timeout_ms=1500");
  EXPECT_EQ(t.uint_param("since", max_cursor), 0u);
  EXPECT_EQ(t.uint_param("timeout_ms", 60000), 1500u);
  EXPECT_FALSE(t.uint_param("absent", 10));
}

void expect_bad(std::string_view target, std::string_view name, std::string_view message_part) {
  try {
    (void)Target::parse(target).uint_param(name, 60000);
    ADD_FAILURE() << target << " was accepted";
  } catch (const BadRequest& bad) {
    EXPECT_NE(std::string(bad.what()).find(message_part), std::string::npos) << bad.what();
  }
}

TEST(Target, RejectsBadNumbersNamingTheParameter) {
  expect_bad("/poll?since=abc", "since", "since: 'abc' is not a whole number");
  expect_bad("/poll?since=-1", "since", "not a whole number");
  expect_bad("/poll?since=1.5", "since", "not a whole number");
  expect_bad("/poll?since=", "since", "not a whole number");
  expect_bad("/poll?since=%201", "since", "not a whole number");
  expect_bad("/poll?since=99999999999999999999999", "since", "not a whole number");
  expect_bad("/long-poll?timeout_ms=60001", "timeout_ms", "timeout_ms: '60001' is above 60000");
  expect_bad("/long-poll?timeout_ms=1e3", "timeout_ms", "not a whole number");
}

TEST(Target, RejectsMalformedPercentEncodingAndRepeats) {
  EXPECT_THROW(Target::parse("/poll?since=%zz"), BadRequest);
  EXPECT_THROW(Target::parse("/poll?since=%4"), BadRequest);
  EXPECT_THROW(Target::parse("/poll?since=1&since=2"), BadRequest);
}

TEST(Target, LongValuesAreShortenedInMessages) {
  try {
    (void)parse_bounded_uint("since", std::string(500, 'x'), 10);
    ADD_FAILURE();
  } catch (const BadRequest& bad) {
    EXPECT_LT(std::string(bad.what()).size(), 100u);
  }
}

}  // namespace
}  // namespace pushbench
