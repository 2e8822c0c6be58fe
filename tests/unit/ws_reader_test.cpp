#include "core/ws_reader.hpp"

#include <gtest/gtest.h>

#include <string>

#include "core/ws_handshake.hpp"

namespace pushbench {
namespace {

using Kind = ClientFrameReader::Kind;

// A client frame: masked, as RFC 6455 5.3 requires of clients (unless told otherwise).
std::string client_frame(std::uint8_t opcode, std::string payload, bool fin = true, bool masked = true) {
  const FrameHeader header{
      .fin = fin, .opcode = opcode, .masked = masked, .mask = {1, 2, 3, 4}, .payload_length = payload.size()};
  std::uint8_t head[max_frame_header];
  const std::size_t size = encode_frame_header(header, head);
  if (masked) apply_mask(payload.data(), payload.size(), header.mask);
  return std::string(reinterpret_cast<const char*>(head), size) + payload;
}

TEST(WsHandshake, Rfc6455Example) {
  // RFC 6455 1.3: the key "dGhlIHNhbXBsZSBub25jZQ==" is answered "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=".
  EXPECT_EQ(websocket_accept("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  EXPECT_TRUE(is_websocket_key("dGhlIHNhbXBsZSBub25jZQ=="));
  EXPECT_FALSE(is_websocket_key("dGhlIHNhbXBsZSBub25jZQ"));
  EXPECT_FALSE(is_websocket_key("dGhlIHNhbXBsZSBub25j!Q=="));
}

TEST(WsReader, PingIsReturnedUnmaskedEvenWhenSplitByteByByte) {
  ClientFrameReader reader(1024);
  const std::string bytes = client_frame(0x9, "are you there");
  ClientFrameReader::Frame frame;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    std::string_view in(bytes.data() + i, 1);
    frame = reader.next(in);
    EXPECT_TRUE(in.empty());
    if (i + 1 < bytes.size()) {
      EXPECT_EQ(frame.kind, Kind::need_more) << i;
    }
  }
  EXPECT_EQ(frame.kind, Kind::ping);
  EXPECT_EQ(frame.payload, "are you there");
}

TEST(WsReader, TextIsReassembledUnmaskedAndBinaryIsDropped) {
  ClientFrameReader reader(1024);
  const std::string bytes = client_frame(0x1, "hello", false) + client_frame(0x9, "between fragments") +
                            client_frame(0x0, " world") + client_frame(0x2, std::string(300, 'x')) +
                            client_frame(0xA, "") + client_frame(0x8, std::string("\x03\xe8", 2));
  std::string_view in = bytes;
  const ClientFrameReader::Frame ping = reader.next(in);  // control frames may come between fragments
  EXPECT_EQ(ping.kind, Kind::ping);
  EXPECT_EQ(ping.payload, "between fragments");
  const ClientFrameReader::Frame text = reader.next(in);
  EXPECT_EQ(text.kind, Kind::text);
  EXPECT_EQ(text.payload, "hello world");
  EXPECT_EQ(reader.next(in).kind, Kind::pong);  // the binary message is dropped
  const ClientFrameReader::Frame close = reader.next(in);
  EXPECT_EQ(close.kind, Kind::close);
  EXPECT_EQ(close.close_code, 1000);
  EXPECT_TRUE(in.empty());
}

TEST(WsReader, TextThatIsNotUtf8Is1007) {
  ClientFrameReader reader(1024);
  const std::string bytes = client_frame(0x1, "caf\xc3", false) + client_frame(0x0, "(");
  std::string_view in = bytes;
  const ClientFrameReader::Frame frame = reader.next(in);
  EXPECT_EQ(frame.kind, Kind::invalid_text);
  EXPECT_EQ(frame.close_code, 1007);
  EXPECT_TRUE(in.empty());
}

TEST(WsReader, Utf8CharacterSplitAcrossFragmentsIsText) {
  ClientFrameReader reader(1024);
  const std::string bytes = client_frame(0x1, "caf\xc3", false) + client_frame(0x0, "\xa9");
  std::string_view in = bytes;
  const ClientFrameReader::Frame frame = reader.next(in);
  EXPECT_EQ(frame.kind, Kind::text);
  EXPECT_EQ(frame.payload, "caf\xc3\xa9");
}

TEST(WsReader, EmptyCloseHasNoCode) {
  ClientFrameReader reader(1024);
  const std::string bytes = client_frame(0x8, "");
  std::string_view in = bytes;
  const ClientFrameReader::Frame close = reader.next(in);
  EXPECT_EQ(close.kind, Kind::close);
  EXPECT_EQ(close.close_code, 0);
}

TEST(WsReader, ProtocolErrorsAreAnswered1002) {
  const std::string cases[] = {
      client_frame(0x1, "hello", true, false),                   // unmasked
      client_frame(0x0, "orphan continuation"),                  // no message to continue
      client_frame(0x1, "a", false) + client_frame(0x1, "b"),    // a new message inside one
      client_frame(0x3, "reserved opcode"),                      // 0x3-0x7 are reserved
      client_frame(0x9, "fragmented ping", false),               // control frames are never fragmented
      client_frame(0x9, std::string(126, 'p')),                  // control payloads are at most 125
      client_frame(0x8, "x") + client_frame(0x9, "after"),       // a close body of 1 byte
      client_frame(0x8, std::string("\x03\xed", 2)),             // 1005 must not be sent
      std::string("\xc1\x80\x00\x00\x00\x00", 6),                // RSV1 without an extension
      std::string("\x81\xfe\x00\x05\x00\x00\x00\x00hello", 13),  // 5 in a 16-bit length
      std::string("\x82\xff\x80\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00", 14),  // 64-bit, top bit set
  };
  for (const std::string& bytes : cases) {
    ClientFrameReader reader(1024);
    std::string_view in = bytes;
    ClientFrameReader::Frame frame = reader.next(in);
    if (frame.kind == Kind::need_more) frame = reader.next(in);
    EXPECT_EQ(frame.kind, Kind::protocol_error) << bytes.size();
    EXPECT_EQ(frame.close_code, 1002);
    EXPECT_TRUE(in.empty()) << "what follows an error is consumed";
    // Nothing after the error is read.
    const std::string ping = client_frame(0x9, "late");
    std::string_view more = ping;
    EXPECT_EQ(reader.next(more).kind, Kind::need_more);
  }
}

TEST(WsReader, MessageOverTheBoundIs1009AtItsHeaderOverFragments) {
  ClientFrameReader reader(1000);
  const std::string under = client_frame(0x1, std::string(1000, 'y'));
  std::string_view in = under;
  const ClientFrameReader::Frame at_the_bound = reader.next(in);
  EXPECT_EQ(at_the_bound.kind, Kind::text);
  EXPECT_EQ(at_the_bound.payload.size(), 1000u);
  EXPECT_TRUE(in.empty());
  // 600 + 600 over two fragments: refused at the second header, before its payload arrives.
  const std::string first = client_frame(0x1, std::string(600, 'a'), false);
  const std::string second = client_frame(0x0, std::string(600, 'b')).substr(0, 8);
  std::string_view a = first, b = second;
  EXPECT_EQ(reader.next(a).kind, Kind::need_more);
  const ClientFrameReader::Frame frame = reader.next(b);
  EXPECT_EQ(frame.kind, Kind::message_too_big);
  EXPECT_EQ(frame.close_code, 1009);
}

TEST(WsReader, A64BitLengthIsRefusedWithoutOverflow) {
  ClientFrameReader reader(64 * 1024);
  const std::string bytes("\x82\xff\x7f\xff\xff\xff\xff\xff\xff\xff\x01\x02\x03\x04", 14);
  std::string_view in = bytes;
  EXPECT_EQ(reader.next(in).kind, Kind::message_too_big);
}

}  // namespace
}  // namespace pushbench
