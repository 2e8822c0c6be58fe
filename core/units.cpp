#include "core/units.hpp"

#include <charconv>
#include <cmath>
#include <utility>

namespace pushbench {
namespace {

// Splits "12.5ms" into the number "12.5" and the unit "ms".
std::pair<std::string_view, std::string_view> split_unit(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size() && ((text[i] >= '0' && text[i] <= '9') || text[i] == '.')) ++i;
  return {text.substr(0, i), text.substr(i)};
}

template <typename Table>
std::optional<double> scaled(std::string_view text, const Table& units) {
  const auto [number, unit] = split_unit(text);
  const auto value = parse_decimal(number);
  if (!value) return std::nullopt;
  for (const auto& [name, factor] : units) {
    if (unit == name) return *value * factor;
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::uint64_t> parse_uint(std::string_view text) {
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::optional<double> parse_decimal(std::string_view text) {
  if (text.empty() || !(text[0] >= '0' && text[0] <= '9')) return std::nullopt;
  double value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value, std::chars_format::fixed);
  if (error != std::errc{} || end != text.data() + text.size() || !std::isfinite(value)) return std::nullopt;
  return value;
}

std::optional<std::chrono::nanoseconds> parse_duration(std::string_view text) {
  static constexpr std::pair<std::string_view, double> units[] = {{"", 1e9}, {"s", 1e9},  {"ms", 1e6},  {"us", 1e3},
                                                                  {"ns", 1}, {"m", 60e9}, {"h", 3600e9}};
  const auto ns = scaled(text, units);
  if (!ns || *ns > 1e18) return std::nullopt;
  return std::chrono::nanoseconds(static_cast<std::int64_t>(std::llround(*ns)));
}

std::optional<std::uint64_t> parse_size(std::string_view text) {
  static constexpr std::pair<std::string_view, double> units[] = {
      {"", 1},     {"B", 1},    {"KiB", 1024.0}, {"MiB", 1024.0 * 1024}, {"GiB", 1024.0 * 1024 * 1024},
      {"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}};
  const auto bytes = scaled(text, units);
  if (!bytes || *bytes > 1e18 || *bytes != std::floor(*bytes)) return std::nullopt;
  return static_cast<std::uint64_t>(*bytes);
}

}  // namespace pushbench
