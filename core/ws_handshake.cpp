#include "core/ws_handshake.hpp"

#include <openssl/evp.h>
#include <openssl/sha.h>

#include <algorithm>
#include <array>

namespace pushbench {

namespace {
constexpr std::string_view guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
constexpr std::size_t key_length = 24;  // base64 of 16 bytes, "==" at the end

bool is_base64_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
}
}  // namespace

bool is_websocket_key(std::string_view key) {
  return key.size() == key_length && key.substr(key_length - 2) == "==" &&
         std::all_of(key.begin(), key.end() - 2, is_base64_char);
}

std::string websocket_accept(std::string_view key) {
  std::string keyed(key);
  keyed += guid;
  std::array<unsigned char, SHA_DIGEST_LENGTH> digest;
  SHA1(reinterpret_cast<const unsigned char*>(keyed.data()), keyed.size(), digest.data());
  std::array<unsigned char, 4 * ((SHA_DIGEST_LENGTH + 2) / 3) + 1> encoded;  // with its NUL
  const int length = EVP_EncodeBlock(encoded.data(), digest.data(), static_cast<int>(digest.size()));
  return std::string(reinterpret_cast<const char*>(encoded.data()), static_cast<std::size_t>(length));
}

std::string websocket_switching_protocols(std::string_view key) {
  return "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: " +
         websocket_accept(key) + "\r\n\r\n";
}

}  // namespace pushbench
