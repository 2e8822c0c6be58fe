#include "core/event.hpp"

#include <gtest/gtest.h>

#include "core/sse_format.hpp"

namespace pushbench {
namespace {

TEST(Event, JsonEncodingIsByteExact) {
  const EventPtr e = encode_event(42, 1700000000123456789, "hello");
  EXPECT_EQ(e->json, R"({"seq":42,"ts":1700000000123456789,"data":"hello"})");
}

TEST(Event, SseFrameIsByteExact) {
  const EventPtr e = encode_event(7, 5, "a\nb");
  EXPECT_EQ(e->sse, "id: 7\ndata: {\"seq\":7,\"ts\":5,\"data\":\"a\\nb\"}\n\n");
}

TEST(Event, SseDataNeverContainsALineBreakWhateverThePayload) {
  const EventPtr e = encode_event(1, 1, "line1\r\nline2\rline3\n\n");
  const std::string_view body(e->sse.data(), e->sse.size() - 2);
  EXPECT_EQ(body.find("\n\n"), std::string_view::npos);
  EXPECT_EQ(e->sse.find('\r'), std::string::npos);
  EXPECT_EQ(std::count(e->sse.begin(), e->sse.end(), '\n'), 3);
}

TEST(SseFormat, RetryAndHeartbeatFrames) {
  EXPECT_EQ(sse_retry_frame(std::chrono::milliseconds(2500)), "retry: 2500\n\n");
  EXPECT_EQ(sse_heartbeat_frame, ":\n\n");
  EXPECT_EQ(sse_event_frame(3, "{}"), "id: 3\ndata: {}\n\n");
}

TEST(SseFormat, NamedMultilineFrames) {
  EXPECT_EQ(sse_event_frame(4, "{\n  \"a\":1\n}", "t1"), "id: 4\nevent: t1\ndata: {\ndata:   \"a\":1\ndata: }\n\n");
}

TEST(Event, NamedAndMultilineFormat) {
  const EventPtr e =
      encode_event(5, 9, "x", {}, PayloadKind::text, EventFormat{.event_types = 3, .sse_multiline = true});
  EXPECT_EQ(e->json, R"({"seq":5,"ts":9,"data":"x","type":"t2"})");
  EXPECT_EQ(e->sse,
            "id: 5\nevent: t2\ndata: {\ndata:   \"seq\":5,\ndata:   \"ts\":9,\ndata:   \"data\":\"x\",\n"
            "data:   \"type\":\"t2\"\ndata: }\n\n");
}

TEST(Event, BinaryDataIsBase64InJsonAndRawInABinaryFrame) {
  const EventPtr e = encode_event(1, 2, std::string("\x00\xff\x10", 3), {}, PayloadKind::binary);
  EXPECT_EQ(e->json, R"({"seq":1,"ts":2,"data":"AP8Q","encoding":"base64"})");
  EXPECT_EQ(static_cast<std::uint8_t>(e->ws[0]), 0x82);  // FIN, binary
  EXPECT_EQ(e->ws.substr(2), std::string("\0\0\0\0\0\0\0\x01\0\0\0\0\0\0\0\x02\x00\xff\x10", 19));
}

}  // namespace
}  // namespace pushbench
