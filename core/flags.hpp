#pragma once
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pushbench {

// Declarative command-line flags: `--name value` or `--name=value`. `--help` prints the usage and
// exits 0; an unknown flag or a bad value prints one line naming the flag and the problem to stderr
// and exits 2 (the contract of every pushbench program).
class Flags {
 public:
  Flags(std::string program, std::string synopsis);

  Flags& text(std::string name, std::string* out, std::string help, std::vector<std::string> choices = {});
  Flags& uint(std::string name, std::uint64_t* out, std::string help, std::uint64_t min, std::uint64_t max);
  Flags& decimal(std::string name, double* out, std::string help, double min, double max);
  Flags& duration(std::string name, std::chrono::nanoseconds* out, std::string help, std::chrono::nanoseconds min,
                  std::chrono::nanoseconds max);
  Flags& size(std::string name, std::uint64_t* out, std::string help, std::uint64_t min, std::uint64_t max);
  Flags& toggle(std::string name, bool* out, std::string help);  // takes no value: present means true

  void parse_or_exit(int argc, char** argv) const;

  // The error line for `args` (without the program name), or nullopt when they parse.
  // Sets `help` when --help was given.
  std::optional<std::string> parse(const std::vector<std::string_view>& args, bool& help) const;
  std::string usage() const;

 private:
  struct Flag {
    std::string name;
    std::string help;
    std::string default_value;
    std::function<std::optional<std::string>(std::string_view)> set;  // the problem, if any
    bool takes_value = true;
  };
  Flags& add(Flag flag);

  std::string program_;
  std::string synopsis_;
  std::vector<Flag> flags_;
};

}  // namespace pushbench
