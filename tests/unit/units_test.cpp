#include "core/units.hpp"

#include <gtest/gtest.h>

namespace pushbench {
namespace {

using namespace std::chrono_literals;

TEST(Units, Durations) {
  EXPECT_EQ(parse_duration("500ms"), 500ms);
  EXPECT_EQ(parse_duration("10s"), 10s);
  EXPECT_EQ(parse_duration("2m"), 2min);
  EXPECT_EQ(parse_duration("1h"), 1h);
  EXPECT_EQ(parse_duration("250us"), 250us);
  EXPECT_EQ(parse_duration("1.5s"), 1500ms);
  EXPECT_EQ(parse_duration("3"), 3s);
  for (const char* bad : {"", "s", "10x", "-1s", "1 s", "ms10", "1e3s", ".5s"})
    EXPECT_FALSE(parse_duration(bad)) << bad;
}

TEST(Units, Sizes) {
  EXPECT_EQ(parse_size("64"), 64u);
  EXPECT_EQ(parse_size("64B"), 64u);
  EXPECT_EQ(parse_size("4KiB"), 4096u);
  EXPECT_EQ(parse_size("1MiB"), 1048576u);
  EXPECT_EQ(parse_size("1GiB"), 1073741824u);
  EXPECT_EQ(parse_size("4KB"), 4000u);
  EXPECT_EQ(parse_size("1.5KiB"), 1536u);
  for (const char* bad : {"", "KiB", "4kib", "-4", "4 KiB", "0.3B"}) EXPECT_FALSE(parse_size(bad)) << bad;
}

TEST(Units, WholeNumbers) {
  EXPECT_EQ(parse_uint("0"), 0u);
  EXPECT_EQ(parse_uint("18446744073709551615"), 18446744073709551615u);
  for (const char* bad : {"", "+1", "-1", "1.0", "18446744073709551616", " 1"}) EXPECT_FALSE(parse_uint(bad)) << bad;
}

}  // namespace
}  // namespace pushbench
