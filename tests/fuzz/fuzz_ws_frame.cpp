// The RFC 6455 frame header codec: any bytes parse or wait for more; what parses encodes back to
// the same header; masking twice is the identity.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>

#include "core/ws_frame.hpp"

using namespace pushbench;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const auto header = parse_frame_header(bytes);
  if (!header) return 0;
  if (header->header_size > size || header->header_size > max_frame_header) std::abort();
  if (header->header_size != frame_header_size(header->payload_length, header->masked)) return 0;  // non-minimal length
  std::uint8_t out[max_frame_header];
  const std::size_t written = encode_frame_header(*header, out);
  const auto again = parse_frame_header(std::string_view(reinterpret_cast<const char*>(out), written));
  if (!again || again->payload_length != header->payload_length || again->opcode != header->opcode ||
      again->masked != header->masked || again->fin != header->fin) {
    std::abort();
  }
  std::string payload(bytes.substr(header->header_size));
  const std::string original = payload;
  apply_mask(payload.data(), payload.size(), header->mask);
  apply_mask(payload.data(), payload.size(), header->mask);
  if (payload != original) std::abort();
  return 0;
}
