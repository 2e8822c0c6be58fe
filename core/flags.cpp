#include "core/flags.hpp"

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <sstream>

#include "core/units.hpp"

namespace pushbench {
namespace {

std::string quoted(std::string_view value) { return "'" + std::string(value) + "'"; }

template <typename T>
std::optional<std::string> in_range(T value, T min, T max, const std::string& shown, std::string_view what) {
  if (value < min || value > max) {
    std::ostringstream out;
    out << shown << " is out of range (" << what << ")";
    return out.str();
  }
  return std::nullopt;
}

std::string format_duration(std::chrono::nanoseconds ns) {
  const auto count = ns.count();
  if (count % 1'000'000'000 == 0) return std::to_string(count / 1'000'000'000) + "s";
  if (count % 1'000'000 == 0) return std::to_string(count / 1'000'000) + "ms";
  return std::to_string(count / 1000) + "us";
}

}  // namespace

Flags::Flags(std::string program, std::string synopsis)
    : program_(std::move(program)), synopsis_(std::move(synopsis)) {}

Flags& Flags::add(Flag flag) {
  flags_.push_back(std::move(flag));
  return *this;
}

Flags& Flags::text(std::string name, std::string* out, std::string help, std::vector<std::string> choices) {
  if (!choices.empty()) {
    help += " (";
    for (std::size_t i = 0; i < choices.size(); ++i) help += (i ? "|" : "") + choices[i];
    help += ")";
  }
  return add({std::move(name), std::move(help), *out, [out, choices](std::string_view v) -> std::optional<std::string> {
                if (!choices.empty() && std::find(choices.begin(), choices.end(), v) == choices.end())
                  return quoted(v) + " is not one of the choices";
                *out = v;
                return std::nullopt;
              }});
}

Flags& Flags::uint(std::string name, std::uint64_t* out, std::string help, std::uint64_t min, std::uint64_t max) {
  auto range = std::to_string(min) + " to " + std::to_string(max);
  return add(
      {std::move(name), std::move(help), std::to_string(*out), [=](std::string_view v) -> std::optional<std::string> {
         const auto value = parse_uint(v);
         if (!value) return quoted(v) + " is not a whole number";
         if (auto bad = in_range(*value, min, max, quoted(v), range)) return bad;
         *out = *value;
         return std::nullopt;
       }});
}

Flags& Flags::decimal(std::string name, double* out, std::string help, double min, double max) {
  std::ostringstream range, shown;
  range << min << " to " << max;
  shown << *out;
  return add({std::move(name), std::move(help), shown.str(),
              [=, range = range.str()](std::string_view v) -> std::optional<std::string> {
                const auto value = parse_decimal(v);
                if (!value) return quoted(v) + " is not a number";
                if (auto bad = in_range(*value, min, max, quoted(v), range)) return bad;
                *out = *value;
                return std::nullopt;
              }});
}

Flags& Flags::duration(std::string name, std::chrono::nanoseconds* out, std::string help, std::chrono::nanoseconds min,
                       std::chrono::nanoseconds max) {
  auto range = format_duration(min) + " to " + format_duration(max);
  return add(
      {std::move(name), std::move(help), format_duration(*out), [=](std::string_view v) -> std::optional<std::string> {
         const auto value = parse_duration(v);
         if (!value) return quoted(v) + " is not a duration (like 500ms, 10s, 2m)";
         if (auto bad = in_range(*value, min, max, quoted(v), range)) return bad;
         *out = *value;
         return std::nullopt;
       }});
}

Flags& Flags::size(std::string name, std::uint64_t* out, std::string help, std::uint64_t min, std::uint64_t max) {
  auto range = std::to_string(min) + " to " + std::to_string(max) + " bytes";
  return add(
      {std::move(name), std::move(help), std::to_string(*out), [=](std::string_view v) -> std::optional<std::string> {
         const auto value = parse_size(v);
         if (!value) return quoted(v) + " is not a size (like 64, 4KiB, 1MiB)";
         if (auto bad = in_range(*value, min, max, quoted(v), range)) return bad;
         *out = *value;
         return std::nullopt;
       }});
}

Flags& Flags::toggle(std::string name, bool* out, std::string help) {
  return add({std::move(name), std::move(help), "",
              [out](std::string_view) -> std::optional<std::string> {
                *out = true;
                return std::nullopt;
              },
              false});
}

std::optional<std::string> Flags::parse(const std::vector<std::string_view>& args, bool& help) const {
  help = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string_view arg = args[i];
    if (arg == "--help" || arg == "-h") {
      help = true;
      return std::nullopt;
    }
    if (!arg.starts_with("--")) return quoted(arg) + ": unexpected argument (flags start with --)";
    std::string_view name = arg.substr(2);
    std::optional<std::string_view> value;
    if (const auto eq = name.find('='); eq != std::string_view::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
    const auto flag = std::find_if(flags_.begin(), flags_.end(), [&](const Flag& f) { return f.name == name; });
    if (flag == flags_.end()) return "--" + std::string(name) + ": unknown flag (see --help)";
    if (!flag->takes_value) {
      if (value) return "--" + std::string(name) + ": takes no value";
      value = "";
    } else if (!value) {
      if (i + 1 == args.size()) return "--" + std::string(name) + ": missing value";
      value = args[++i];
    }
    if (auto problem = flag->set(*value)) return "--" + std::string(name) + ": " + *problem;
  }
  return std::nullopt;
}

std::string Flags::usage() const {
  std::ostringstream out;
  out << "usage: " << program_ << " " << synopsis_ << "\n\nflags:\n";
  for (const Flag& flag : flags_) {
    out << "  --" << flag.name << "\n      " << flag.help;
    if (!flag.default_value.empty()) out << " [default: " << flag.default_value << "]";
    out << "\n";
  }
  out << "  --help\n      print this help and exit\n";
  return out.str();
}

void Flags::parse_or_exit(int argc, char** argv) const {
  const std::vector<std::string_view> args(argv + 1, argv + argc);
  bool help = false;
  if (auto error = parse(args, help)) {
    std::cerr << program_ << ": " << *error << "\n";
    std::exit(2);
  }
  if (help) {
    std::cout << usage();
    std::exit(0);
  }
}

}  // namespace pushbench
