#pragma once
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pushbench {

// A request the client got wrong; its message goes back in a 400 {"error": ...}.
class BadRequest : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A request target ("/poll?since=3") split into its path and percent-decoded parameters.
struct Target {
  std::string path;
  std::vector<std::pair<std::string, std::string>> params;

  // Throws BadRequest on malformed percent-encoding or a repeated parameter.
  static Target parse(std::string_view target);

  std::optional<std::string_view> param(std::string_view name) const;

  // The parameter as a whole number in [0, max], nullopt when absent; throws BadRequest naming it.
  std::optional<std::uint64_t> uint_param(std::string_view name, std::uint64_t max) const;

  // The parameter as UTF-8 text of at most `max_length` bytes, empty when absent; throws BadRequest naming it.
  std::string text_param(std::string_view name, std::size_t max_length) const;
};

// `text` as a whole number in [0, max]; throws BadRequest naming `what`.
std::uint64_t parse_bounded_uint(std::string_view what, std::string_view text, std::uint64_t max);

// Cursors stay far below 2^64 so that `since + 1` cannot overflow.

inline constexpr std::uint64_t max_cursor = std::uint64_t{1} << 62;

}  // namespace pushbench
