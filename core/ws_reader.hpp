#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/ws_frame.hpp"

namespace pushbench {

// What a WebSocket client sends, read by the server (RFC 6455 sections 5.2-5.5): text messages come
// back whole (reassembled from their fragments, unmasked, checked as UTF-8) to be published; binary
// messages are checked against the rules and the size bound and dropped; pings, pongs and the
// close come back to be answered. Bytes may arrive in any pieces; the reader holds one frame
// header, one control payload (125 bytes) and the text message in progress (at most max_message).
class ClientFrameReader {
 public:
  enum class Kind { need_more, text, ping, pong, close, protocol_error, message_too_big, invalid_text };
  struct Frame {
    Kind kind = Kind::need_more;
    std::string_view payload;      // a text message's, a ping's or pong's, unmasked; valid until the next call
    std::uint16_t close_code = 0;  // close: the client's code (0: none); errors: 1002, 1009 or 1007
  };

  explicit ClientFrameReader(std::uint64_t max_message) : max_message_(max_message) {}

  // Consumes bytes from the front of `in` up to the end of the next frame that needs an answer;
  // need_more when `in` ran out first. After an error, everything is consumed and ignored.
  Frame next(std::string_view& in);
  // Frees the last text message's buffer: an idle connection holds none.
  void release_message() { std::string().swap(message_); }

 private:
  bool read_header(std::string_view& in);
  std::optional<Frame> check_header() const;
  Frame complete_frame();

  static constexpr std::size_t max_control_payload = 125;

  std::uint64_t max_message_;
  std::array<char, max_frame_header> header_bytes_{};
  std::size_t header_filled_ = 0;
  std::optional<FrameHeader> frame_;  // the frame being read, once its header is complete
  std::uint64_t payload_read_ = 0;
  std::array<char, max_control_payload> control_{};
  std::uint64_t message_bytes_ = 0;  // of the data message in progress, over its fragments
  bool in_message_ = false;
  bool message_is_text_ = false;
  std::string message_;  // the text message in progress
  bool failed_ = false;
};

}  // namespace pushbench
