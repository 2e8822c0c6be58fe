#include "core/ws_reader.hpp"

#include <algorithm>

#include "core/json.hpp"

namespace pushbench {

namespace {
constexpr std::uint8_t continuation = 0x0, text = 0x1, binary = 0x2, close = 0x8, ping = 0x9, pong = 0xA;
constexpr std::uint16_t protocol_error = 1002, invalid_text_data = 1007, message_too_big = 1009;

bool is_control(std::uint8_t opcode) { return opcode & 0x8; }

// Section 7.4: the codes a peer may send (1004-1006 and 1015 are reserved, others unassigned).
bool is_sendable_close_code(std::uint16_t code) {
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
}
}  // namespace

ClientFrameReader::Frame ClientFrameReader::next(std::string_view& in) {
  while (!failed_ && !in.empty()) {
    if (!frame_) {
      if (!read_header(in)) break;
      if (std::optional<Frame> refusal = check_header()) {
        failed_ = true;
        in = {};
        return *refusal;
      }
      if (frame_->opcode == text) {
        message_is_text_ = true;
        message_.clear();
      }
    }
    const std::uint64_t wanted = frame_->payload_length - payload_read_;
    const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(wanted, in.size()));
    if (is_control(frame_->opcode)) {
      char* at = control_.data() + payload_read_;
      std::copy_n(in.data(), n, at);
      apply_mask(at, n, frame_->mask, payload_read_);
    } else if (message_is_text_) {  // binary payloads are dropped unread
      const std::size_t old = message_.size();
      message_.append(in.data(), n);
      apply_mask(message_.data() + old, n, frame_->mask, payload_read_);
    }
    payload_read_ += n;
    in.remove_prefix(n);
    if (payload_read_ < frame_->payload_length) break;
    const Frame frame = complete_frame();
    if (failed_) in = {};
    if (frame.kind != Kind::need_more) return frame;
  }
  if (failed_) in = {};
  return {};
}

// Moves header bytes from `in` until the header is whole; returns whether it is.
bool ClientFrameReader::read_header(std::string_view& in) {
  const std::size_t old = header_filled_;
  const std::size_t n = std::min(in.size(), header_bytes_.size() - old);
  std::copy_n(in.data(), n, header_bytes_.data() + old);
  header_filled_ += n;
  const std::optional<FrameHeader> header = parse_frame_header({header_bytes_.data(), header_filled_});
  if (!header) {
    in.remove_prefix(n);
    return false;
  }
  in.remove_prefix(header->header_size - old);  // the rest of what was copied is payload
  header_filled_ = 0;
  frame_ = header;
  payload_read_ = 0;
  return true;
}

// The first rule the header breaks, as the close to send; nullopt when it breaks none.
std::optional<ClientFrameReader::Frame> ClientFrameReader::check_header() const {
  const Frame refused{Kind::protocol_error, {}, protocol_error};
  const std::uint8_t reserved_bits = static_cast<std::uint8_t>(header_bytes_[0]) & 0x70;
  if (reserved_bits || !frame_->masked) return refused;  // no extension was agreed; clients must mask
  // Section 5.2: a length in the fewest bytes, and a 64-bit one with its top bit clear.
  const std::size_t extended = frame_->header_size - 2 - 4;
  const std::uint64_t length = frame_->payload_length;
  if ((extended == 2 && length < 126) || (extended == 8 && (length <= 0xffff || length >> 63))) return refused;
  switch (frame_->opcode) {
    case continuation:
      if (!in_message_) return refused;
      break;
    case text:
    case binary:
      if (in_message_) return refused;
      break;
    case close:
    case ping:
    case pong:
      if (!frame_->fin || frame_->payload_length > max_control_payload) return refused;
      return std::nullopt;
    default:
      return refused;
  }
  if (frame_->payload_length > max_message_ - std::min(message_bytes_, max_message_))
    return Frame{Kind::message_too_big, {}, message_too_big};
  return std::nullopt;
}

ClientFrameReader::Frame ClientFrameReader::complete_frame() {
  const FrameHeader frame = *frame_;
  frame_.reset();
  const auto payload = [&] { return std::string_view(control_.data(), frame.payload_length); };
  switch (frame.opcode) {
    case ping:
      return {Kind::ping, payload()};
    case pong:
      return {Kind::pong, payload()};
    case close: {
      const std::string_view body = payload();
      if (body.size() == 1) return failed_ = true, Frame{Kind::protocol_error, {}, protocol_error};
      if (body.empty()) return {Kind::close, {}, 0};
      const auto code =
          static_cast<std::uint16_t>(static_cast<std::uint8_t>(body[0]) << 8 | static_cast<std::uint8_t>(body[1]));
      if (!is_sendable_close_code(code)) return failed_ = true, Frame{Kind::protocol_error, {}, protocol_error};
      return {Kind::close, {}, code};
    }
    default: {  // a data frame: a text message's part, or a binary one's, dropped
      message_bytes_ += frame.payload_length;
      in_message_ = !frame.fin;
      if (!frame.fin) return {};
      message_bytes_ = 0;
      if (!message_is_text_) return {};
      message_is_text_ = false;
      if (!is_valid_utf8(message_)) return failed_ = true, Frame{Kind::invalid_text, {}, invalid_text_data};
      return {Kind::text, message_};
    }
  }
}

}  // namespace pushbench
