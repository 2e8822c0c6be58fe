#include "core/event_fields.hpp"

#include <charconv>

namespace pushbench {
namespace {

std::size_t skip_spaces(std::string_view json, std::size_t at) {
  while (at < json.size() && (json[at] == ' ' || json[at] == '\t' || json[at] == '\n' || json[at] == '\r')) ++at;
  return at;
}

// The position after the string whose opening quote is at `at`.
std::size_t skip_string(std::string_view json, std::size_t at) {
  for (++at; at < json.size(); ++at) {
    if (json[at] == '\\')
      ++at;
    else if (json[at] == '"')
      return at + 1;
  }
  return std::string_view::npos;
}

}  // namespace

std::size_t find_key(std::string_view json, std::string_view key, std::size_t from) {
  for (std::size_t at = from; at < json.size();) {
    if (json[at] != '"') {
      ++at;
      continue;
    }
    const std::size_t end = skip_string(json, at);
    if (end == std::string_view::npos) return end;
    if (json.substr(at + 1, end - at - 2) == key) {
      const std::size_t colon = skip_spaces(json, end);
      if (colon < json.size() && json[colon] == ':') return colon + 1;
    }
    at = end;
  }
  return std::string_view::npos;
}

bool read_integer_at(std::string_view json, std::size_t at, std::int64_t& out) {
  if (at == std::string_view::npos) return false;
  at = skip_spaces(json, at);
  const char* begin = json.data() + at;
  const auto [end, error] = std::from_chars(begin, json.data() + json.size(), out);
  return error == std::errc{} && end != begin;
}

bool read_event_fields(std::string_view json, EventFields& out) {
  std::int64_t seq = 0;
  if (!read_integer_at(json, find_key(json, "seq"), seq) || seq < 0) return false;
  if (!read_integer_at(json, find_key(json, "ts"), out.ts)) return false;
  out.seq = static_cast<std::uint64_t>(seq);
  out.json = json;
  out.name = {};
  return true;
}

bool read_binary_event(std::string_view message, EventFields& out) {
  if (message.size() < 16) return false;
  const auto big_endian = [&](std::size_t at) {
    std::uint64_t value = 0;
    for (std::size_t i = 0; i < 8; ++i) value = value << 8 | static_cast<std::uint8_t>(message[at + i]);
    return value;
  };
  out.seq = big_endian(0);
  out.ts = static_cast<std::int64_t>(big_endian(8));
  out.json = {};
  return true;
}

std::size_t next_array_object(std::string_view json, std::size_t from, std::string_view& object) {
  std::size_t at = skip_spaces(json, from);
  if (at < json.size() && (json[at] == '[' || json[at] == ',')) at = skip_spaces(json, at + 1);
  if (at >= json.size() || json[at] != '{') return std::string_view::npos;
  int depth = 0;
  for (std::size_t i = at; i < json.size(); ++i) {
    if (json[i] == '"') {
      i = skip_string(json, i);
      if (i == std::string_view::npos) return i;
      --i;
    } else if (json[i] == '{' || json[i] == '[') {
      ++depth;
    } else if ((json[i] == '}' || json[i] == ']') && --depth == 0) {
      object = json.substr(at, i + 1 - at);
      return i + 1;
    }
  }
  return std::string_view::npos;
}

}  // namespace pushbench
