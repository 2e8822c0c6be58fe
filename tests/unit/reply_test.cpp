#include "servers/reply.hpp"

#include <gtest/gtest.h>

namespace pushbench {
namespace {

std::string joined(Reply& reply, bool keep_alive) {
  std::vector<boost::asio::const_buffer> buffers{boost::asio::buffer("stale")};  // replaced, not appended to
  reply.buffers(keep_alive, buffers);
  std::string out;
  for (const auto& b : buffers) out.append(static_cast<const char*>(b.data()), b.size());
  return out;
}

TEST(Reply, PollAnswerJoinsTheSharedEncodings) {
  const std::vector<EventPtr> events{encode_event(4, 10, "a"), encode_event(5, 11, "b")};
  Reply reply = Reply::events(events, 5);
  const std::string body = R"({"events":[{"seq":4,"ts":10,"data":"a"},{"seq":5,"ts":11,"data":"b"}],"next":5})";
  EXPECT_EQ(reply.body(), body);
  const std::string wire = joined(reply, true);
  EXPECT_TRUE(wire.ends_with("\r\n\r\n" + body)) << wire;  // the gathered buffers carry the same body
  EXPECT_NE(wire.find("Content-Length: " + std::to_string(body.size()) + "\r\n"), std::string::npos);
  EXPECT_EQ(Reply::events({}, 9).body(), R"({"events":[],"next":9})");
}

TEST(Reply, ExtraHeadersAndConnectionHeader) {
  Reply reply = Reply::error(405, "no");
  reply.header("Allow", "GET");
  EXPECT_EQ(reply.headers().size(), 1u);
  const std::string wire = joined(reply, false);
  EXPECT_TRUE(wire.starts_with("HTTP/1.1 405 Method Not Allowed\r\n")) << wire;
  EXPECT_NE(wire.find("Allow: GET\r\n"), std::string::npos);
  EXPECT_NE(wire.find("Connection: close\r\n\r\n{\"error\":\"no\"}"), std::string::npos);
}

TEST(Reply, StreamHeadHasNoLength) {
  const std::string head = Reply::stream_head("text/event-stream");
  EXPECT_NE(head.find("Content-Type: text/event-stream\r\n"), std::string::npos);
  EXPECT_EQ(head.find("Content-Length"), std::string::npos);
  EXPECT_TRUE(head.ends_with("\r\n\r\n"));
}

}  // namespace
}  // namespace pushbench
