#pragma once
#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

namespace pushbench {

// A whole decimal number, all of `text`, no sign, no overflow.
std::optional<std::uint64_t> parse_uint(std::string_view text);

// A decimal number, possibly fractional ("0.5", "100", "2.5e3" is not accepted).
std::optional<double> parse_decimal(std::string_view text);

// "500ms", "10s", "2m", "1h", "250us"; a bare number is seconds.
std::optional<std::chrono::nanoseconds> parse_duration(std::string_view text);

// "64", "64B", "4KiB", "1MiB", "1GiB" (binary), "4KB", "1MB" (decimal).
std::optional<std::uint64_t> parse_size(std::string_view text);

}  // namespace pushbench
