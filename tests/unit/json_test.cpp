#include "core/json.hpp"

#include <gtest/gtest.h>

namespace pushbench {
namespace {

std::string as_json(std::string_view text) {
  std::string out;
  append_json_string(out, text);
  return out;
}

TEST(Json, EscapesQuotesAndBackslashes) { EXPECT_EQ(as_json(R"(say "hi" \ bye)"), R"("say \"hi\" \\ bye")"); }

TEST(Json, EscapesLineBreaksAndTabs) { EXPECT_EQ(as_json("a\nb\rc\td\be\ff"), R"("a\nb\rc\td\be\ff")"); }

TEST(Json, EscapesOtherControlCharactersAsUnicode) {
  EXPECT_EQ(as_json(std::string("\x00\x01\x1f", 3)), R"("\u0000\u0001\u001f")");
  EXPECT_EQ(as_json("\x7f"), "\"\x7f\"") << "DEL is not a JSON control character";
}

TEST(Json, PassesUtf8Through) { EXPECT_EQ(as_json("服务器推送 é ✓ 😀"), "\"服务器推送 é ✓ 😀\""); }

TEST(Json, ErrorObject) { EXPECT_EQ(json_error("bad \"x\""), R"({"error":"bad \"x\""})"); }

TEST(Utf8, AcceptsValidText) {
  EXPECT_TRUE(is_valid_utf8(""));
  EXPECT_TRUE(is_valid_utf8("plain ascii"));
  EXPECT_TRUE(is_valid_utf8("服务器推送 é ✓ 😀"));
}

TEST(Utf8, RejectsMalformedText) {
  EXPECT_FALSE(is_valid_utf8("\xff"));
  EXPECT_FALSE(is_valid_utf8("\xc3"));              // truncated
  EXPECT_FALSE(is_valid_utf8("\xe6\x9c"));          // truncated
  EXPECT_FALSE(is_valid_utf8("\xc0\xaf"));          // overlong
  EXPECT_FALSE(is_valid_utf8("\xed\xa0\x80"));      // surrogate
  EXPECT_FALSE(is_valid_utf8("\xf4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(is_valid_utf8("a\x80z"));            // stray continuation
}

}  // namespace
}  // namespace pushbench
