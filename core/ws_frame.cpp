#include "core/ws_frame.hpp"

namespace pushbench {

std::size_t encode_frame_header(const FrameHeader& header, std::uint8_t* out) {
  std::size_t at = 0;
  out[at++] = static_cast<std::uint8_t>((header.fin ? 0x80 : 0) | (header.opcode & 0x0f));
  const std::uint8_t mask_bit = header.masked ? 0x80 : 0;
  const std::uint64_t n = header.payload_length;
  if (n <= 125) {
    out[at++] = static_cast<std::uint8_t>(mask_bit | n);
  } else if (n <= 65535) {
    out[at++] = mask_bit | 126;
    out[at++] = static_cast<std::uint8_t>(n >> 8);
    out[at++] = static_cast<std::uint8_t>(n);
  } else {
    out[at++] = mask_bit | 127;
    for (int shift = 56; shift >= 0; shift -= 8) out[at++] = static_cast<std::uint8_t>(n >> shift);
  }
  if (header.masked) {
    for (const std::uint8_t b : header.mask) out[at++] = b;
  }
  return at;
}

std::string server_frame(std::uint8_t opcode, std::string_view payload) {
  std::array<std::uint8_t, max_frame_header> header;
  const std::size_t size = encode_frame_header({.opcode = opcode, .payload_length = payload.size()}, header.data());
  std::string frame;
  frame.reserve(size + payload.size());
  frame.append(reinterpret_cast<const char*>(header.data()), size);
  frame += payload;
  return frame;
}

std::optional<FrameHeader> parse_frame_header(std::string_view bytes) {
  if (bytes.size() < 2) return std::nullopt;
  const auto byte = [&](std::size_t i) { return static_cast<std::uint8_t>(bytes[i]); };
  FrameHeader h;
  h.fin = byte(0) & 0x80;
  h.opcode = byte(0) & 0x0f;
  h.masked = byte(1) & 0x80;
  const std::uint8_t length = byte(1) & 0x7f;
  std::size_t at = 2;
  const std::size_t extended = length == 127 ? 8 : length == 126 ? 2 : 0;
  if (bytes.size() < at + extended + (h.masked ? 4 : 0)) return std::nullopt;
  h.payload_length = length;
  if (extended) {
    h.payload_length = 0;
    for (std::size_t i = 0; i < extended; ++i) h.payload_length = (h.payload_length << 8) | byte(at++);
  }
  if (h.masked) {
    for (auto& b : h.mask) b = byte(at++);
  }
  h.header_size = at;
  return h;
}

void apply_mask(char* data, std::size_t size, const std::array<std::uint8_t, 4>& mask, std::size_t offset) {
  for (std::size_t i = 0; i < size; ++i) data[i] = static_cast<char>(data[i] ^ mask[(offset + i) & 3]);
}

}  // namespace pushbench
