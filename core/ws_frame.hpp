#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pushbench {

// RFC 6455 section 5.2 base framing: what a frame header says and how big it is. The event-loop
// server frames and reads its established connections with these (the clients let Beast do it);
// they also serve accounting, conformance checks and benchmarks.
struct FrameHeader {
  bool fin = true;
  std::uint8_t opcode = 0x1;
  bool masked = false;
  std::array<std::uint8_t, 4> mask{};
  std::uint64_t payload_length = 0;
  std::size_t header_size = 0;
};

inline constexpr std::size_t max_frame_header = 14;

// Bytes a header takes for this payload length: 2, plus 2 or 8 of extended length, plus 4 of mask.
constexpr std::size_t frame_header_size(std::uint64_t payload_length, bool masked) {
  return 2 + (payload_length > 65535 ? 8 : payload_length > 125 ? 2 : 0) + (masked ? 4 : 0);
}

// Writes the header into `out` (at least max_frame_header bytes); returns its size.
std::size_t encode_frame_header(const FrameHeader& header, std::uint8_t* out);

// A whole unmasked frame as a server sends it: header, then payload.
std::string server_frame(std::uint8_t opcode, std::string_view payload);

// The header at the front of `bytes`, or nullopt while it is incomplete.
std::optional<FrameHeader> parse_frame_header(std::string_view bytes);

// XORs `data` with the mask, as RFC 6455 5.3 does in both directions; `offset` is the position
// of data[0] in the payload.
void apply_mask(char* data, std::size_t size, const std::array<std::uint8_t, 4>& mask, std::size_t offset = 0);

}  // namespace pushbench
