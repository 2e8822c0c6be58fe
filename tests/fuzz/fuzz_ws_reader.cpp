// The server's reader of client WebSocket frames on any bytes, fed whole and in pieces the input
// picks: every call makes progress, what it returns keeps the protocol's bounds, an error ends the
// reading, and the frames must not depend on the split. Also server_frame(): it parses back to
// what was framed, and the reader refuses it (a server frame is unmasked).
// Input: 2 bytes of max_message (big-endian), 1 byte picking the split, then the client's bytes.
#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/json.hpp"
#include "core/ws_frame.hpp"
#include "core/ws_reader.hpp"

using namespace pushbench;

namespace {

using Kind = ClientFrameReader::Kind;

struct Seen {
  Kind kind;
  std::string payload;
  std::uint16_t close_code;
  bool operator==(const Seen&) const = default;
};

bool is_sendable_close_code(std::uint16_t code) {  // RFC 6455 7.4
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
}

// A server frame parses back to one final unmasked frame of this opcode and payload, and the
// reader refuses it at once: what a client sends must be masked.
void check_server_frame(std::uint8_t opcode, std::string_view payload) {
  const std::string frame = server_frame(opcode, payload);
  const auto header = parse_frame_header(frame);
  if (!header || !header->fin || header->opcode != opcode || header->masked ||
      header->payload_length != payload.size() || header->header_size != frame_header_size(payload.size(), false) ||
      frame.size() != header->header_size + payload.size() || frame.substr(header->header_size) != payload) {
    __builtin_trap();
  }
  ClientFrameReader reader(~std::uint64_t{0});
  std::string_view in = frame;
  const ClientFrameReader::Frame refused = reader.next(in);
  if (refused.kind != Kind::protocol_error || refused.close_code != 1002 || !in.empty()) __builtin_trap();
}

class Feeder {
 public:
  explicit Feeder(std::uint64_t max_message) : reader_(max_message), max_message_(max_message) {}

  // Feeds one piece, from its own allocation of exactly its size (ASan sees any read past it),
  // calling next() until the piece is used up.
  void feed(std::string_view piece) {
    const std::unique_ptr<char[]> copy(new char[piece.size() ? piece.size() : 1]);
    std::copy(piece.begin(), piece.end(), copy.get());
    const std::string_view all(copy.get(), piece.size());
    std::string_view in = all;
    do {
      call(in);
    } while (!in.empty());
  }

  std::vector<Seen> seen;

 private:
  void call(std::string_view& in) {
    const std::string_view before = in;
    const ClientFrameReader::Frame frame = reader_.next(in);
    // What is left is a suffix of what was given.
    if (in.size() > before.size() || (!in.empty() && in.data() != before.data() + (before.size() - in.size())))
      __builtin_trap();
    const std::size_t consumed = before.size() - in.size();
    if (failed_) {  // after an error: nothing more comes out, everything is swallowed
      if (frame.kind != Kind::need_more || !in.empty()) __builtin_trap();
      return;
    }
    switch (frame.kind) {
      case Kind::need_more:
        if (!before.empty() && consumed == 0) __builtin_trap();  // no progress
        if (!in.empty()) __builtin_trap();                       // need_more only once `in` ran out
        return;
      case Kind::ping:
      case Kind::pong:
        if (frame.payload.size() > 125) __builtin_trap();
        check_server_frame(frame.kind == Kind::ping ? 0xA : 0x9, frame.payload);  // the answer
        break;
      case Kind::close:
        if (frame.close_code != 0 && !is_sendable_close_code(frame.close_code)) __builtin_trap();
        if (!frame.payload.empty()) __builtin_trap();
        break;
      case Kind::protocol_error:
        if (frame.close_code != 1002) __builtin_trap();
        failed_ = true;
        break;
      case Kind::message_too_big:
        if (frame.close_code != 1009) __builtin_trap();
        failed_ = true;
        break;
      case Kind::text:  // a whole message, unmasked, within the bound, UTF-8
        if (frame.payload.size() > max_message_ || !is_valid_utf8(frame.payload)) __builtin_trap();
        break;
      case Kind::invalid_text:
        if (frame.close_code != 1007) __builtin_trap();
        failed_ = true;
        break;
      default:
        __builtin_trap();
    }
    if (before.empty()) __builtin_trap();  // a frame out of no bytes
    seen.push_back({frame.kind, std::string(frame.payload), frame.close_code});
  }

  ClientFrameReader reader_;
  std::uint64_t max_message_;
  bool failed_ = false;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 3) return 0;
  const std::uint64_t max_message = std::uint64_t{data[0]} << 8 | data[1];
  const std::uint8_t split = data[2];
  const std::string_view stream(reinterpret_cast<const char*>(data) + 3, size - 3);

  Feeder whole(max_message);
  whole.feed(stream);

  // Pieces of 0 to `limit` bytes, from a generator seeded by the split byte; an empty piece is
  // followed by at least one byte.
  Feeder pieces(max_message);
  const std::size_t limit = 1 + split % 32;
  std::uint32_t state = 0x9e3779b9u ^ split;
  for (std::size_t at = 0; at < stream.size();) {
    state ^= state << 13, state ^= state >> 17, state ^= state << 5;
    std::size_t n = (state >> 8) % (limit + 1);
    if (n == 0) {
      pieces.feed({});
      n = 1;
    }
    pieces.feed(stream.substr(at, n));
    at += n;
  }
  if (whole.seen != pieces.seen) __builtin_trap();

  // A ping or pong of the input's first bytes, masked as a client does, comes back unmasked.
  const std::uint8_t opcode = split & 1 ? 0x9 : 0xA;
  const std::string_view body = stream.substr(0, 125);
  const FrameHeader header{.opcode = opcode,
                           .masked = true,
                           .mask = {data[0], data[1], data[2], static_cast<std::uint8_t>(size)},
                           .payload_length = body.size()};
  std::uint8_t head[max_frame_header];
  std::string frame(reinterpret_cast<const char*>(head), encode_frame_header(header, head));
  const std::size_t payload_at = frame.size();
  frame += body;
  apply_mask(frame.data() + payload_at, body.size(), header.mask);
  ClientFrameReader reader(max_message);
  std::string_view in = frame;
  const ClientFrameReader::Frame control = reader.next(in);
  if (control.kind != (opcode == 0x9 ? Kind::ping : Kind::pong) || control.payload != body || !in.empty())
    __builtin_trap();

  // A server frame of the input's bytes with any opcode; over 64 KiB (a 64-bit length) now and then.
  if (split == 0xff) {
    std::string big;
    while (big.size() <= 65535) big += stream.empty() ? std::string_view("x") : stream;
    check_server_frame(split & 0x0f, big);
  } else {
    check_server_frame(split & 0x0f, stream);
  }
  return 0;
}
