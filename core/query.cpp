#include "core/query.hpp"

#include <algorithm>

#include "core/json.hpp"
#include "core/units.hpp"

namespace pushbench {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string percent_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+') {
      out.push_back(' ');
    } else if (text[i] != '%') {
      out.push_back(text[i]);
    } else {
      const int high = i + 2 < text.size() ? hex_value(text[i + 1]) : -1;
      const int low = i + 2 < text.size() ? hex_value(text[i + 2]) : -1;
      if (high < 0 || low < 0) throw BadRequest("malformed percent-encoding in the request target");
      out.push_back(static_cast<char>(high * 16 + low));
      i += 2;
    }
  }
  return out;
}

std::string shown(std::string_view text) {
  constexpr std::size_t limit = 40;
  return "'" + std::string(text.substr(0, limit)) + (text.size() > limit ? "...'" : "'");
}

}  // namespace

Target Target::parse(std::string_view target) {
  Target out;
  const auto question = target.find('?');
  out.path = percent_decode(target.substr(0, question));
  if (question == std::string_view::npos) return out;
  std::string_view rest = target.substr(question + 1);
  while (!rest.empty()) {
    const auto amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
    if (pair.empty()) continue;
    const auto eq = pair.find('=');
    std::string name = percent_decode(pair.substr(0, eq));
    std::string value = eq == std::string_view::npos ? std::string{} : percent_decode(pair.substr(eq + 1));
    if (out.param(name)) throw BadRequest("parameter '" + name + "' is given twice");
    out.params.emplace_back(std::move(name), std::move(value));
  }
  return out;
}

std::optional<std::string_view> Target::param(std::string_view name) const {
  const auto it = std::find_if(params.begin(), params.end(), [&](const auto& p) { return p.first == name; });
  if (it == params.end()) return std::nullopt;
  return it->second;
}

std::optional<std::uint64_t> Target::uint_param(std::string_view name, std::uint64_t max) const {
  const auto text = param(name);
  if (!text) return std::nullopt;
  return parse_bounded_uint(name, *text, max);
}

std::string Target::text_param(std::string_view name, std::size_t max_length) const {
  const auto text = param(name);
  if (!text) return {};
  if (text->size() > max_length)
    throw BadRequest(std::string(name) + ": longer than " + std::to_string(max_length) + " bytes");
  if (!is_valid_utf8(*text)) throw BadRequest(std::string(name) + ": not UTF-8");
  return std::string(*text);
}

std::uint64_t parse_bounded_uint(std::string_view what, std::string_view text, std::uint64_t max) {
  const auto value = parse_uint(text);
  if (!value) throw BadRequest(std::string(what) + ": " + shown(text) + " is not a whole number");
  if (*value > max) throw BadRequest(std::string(what) + ": " + shown(text) + " is above " + std::to_string(max));
  return *value;
}

}  // namespace pushbench
