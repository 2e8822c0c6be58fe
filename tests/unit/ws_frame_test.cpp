#include "core/ws_frame.hpp"

#include <gtest/gtest.h>

#include <string>

namespace pushbench {
namespace {

std::string encode(const FrameHeader& h) {
  std::uint8_t out[max_frame_header];
  const std::size_t n = encode_frame_header(h, out);
  return std::string(reinterpret_cast<const char*>(out), n);
}

TEST(WsFrame, Rfc6455Examples) {
  // RFC 6455 5.7: an unmasked "Hello" text frame and a masked one.
  EXPECT_EQ(encode({.payload_length = 5}), std::string("\x81\x05", 2));
  FrameHeader masked{.masked = true, .mask = {0x37, 0xfa, 0x21, 0x3d}, .payload_length = 5};
  std::string hello = "Hello";
  apply_mask(hello.data(), hello.size(), masked.mask);
  EXPECT_EQ(encode(masked) + hello, std::string("\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58", 11));
  // 256 bytes binary: 16-bit length; 64 KiB: 64-bit length.
  EXPECT_EQ(encode({.opcode = 0x2, .payload_length = 256}), std::string("\x82\x7e\x01\x00", 4));
  EXPECT_EQ(encode({.opcode = 0x2, .payload_length = 65536}),
            std::string("\x82\x7f\x00\x00\x00\x00\x00\x01\x00\x00", 10));
}

TEST(WsFrame, ParseRoundTripsEveryLengthClass) {
  for (std::uint64_t n : {0ull, 125ull, 126ull, 65535ull, 65536ull, 1ull << 40}) {
    for (bool masked : {false, true}) {
      const FrameHeader h{.fin = false, .opcode = 0x9, .masked = masked, .mask = {1, 2, 3, 4}, .payload_length = n};
      const std::string bytes = encode(h);
      EXPECT_EQ(bytes.size(), frame_header_size(n, masked));
      const auto parsed = parse_frame_header(bytes);
      ASSERT_TRUE(parsed);
      EXPECT_EQ(parsed->payload_length, n);
      EXPECT_EQ(parsed->masked, masked);
      EXPECT_EQ(parsed->opcode, 0x9);
      EXPECT_FALSE(parsed->fin);
      EXPECT_EQ(parsed->header_size, bytes.size());
      for (std::size_t cut = 0; cut < bytes.size(); ++cut) EXPECT_FALSE(parse_frame_header(bytes.substr(0, cut)));
    }
  }
}

TEST(WsFrame, MaskingIsItsOwnInverseAtAnyOffset) {
  const std::array<std::uint8_t, 4> mask{0xde, 0xad, 0xbe, 0xef};
  std::string text = "the quick brown fox";
  std::string copy = text;
  apply_mask(copy.data(), 7, mask, 0);
  apply_mask(copy.data() + 7, copy.size() - 7, mask, 7);
  EXPECT_NE(copy, text);
  apply_mask(copy.data(), copy.size(), mask, 0);
  EXPECT_EQ(copy, text);
}

}  // namespace
}  // namespace pushbench
