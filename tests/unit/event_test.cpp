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

}  // namespace
}  // namespace pushbench

namespace pushbench {
namespace {}  // namespace
}  // namespace pushbench
