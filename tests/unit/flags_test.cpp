#include "core/flags.hpp"

#include <gtest/gtest.h>

namespace pushbench {
namespace {

using namespace std::chrono_literals;

struct Parsed {
  std::string technique = "sse";
  std::uint64_t port = 8080;
  double rate = 0;
  std::chrono::nanoseconds timeout = 1s;
  std::uint64_t payload = 64;
};

std::optional<std::string> parse(Parsed& p, std::vector<std::string_view> args, bool* help = nullptr) {
  Flags flags("prog", "[flags]");
  flags.text("technique", &p.technique, "technique", {"sse", "websocket"})
      .uint("port", &p.port, "port", 0, 65535)
      .decimal("rate", &p.rate, "rate", 0, 1000)
      .duration("timeout", &p.timeout, "timeout", 1ms, 1h)
      .size("payload", &p.payload, "payload", 0, 1 << 20);
  bool ignored = false;
  return flags.parse(args, help ? *help : ignored);
}

TEST(Flags, ParsesBothSpellings) {
  Parsed p;
  EXPECT_FALSE(
      parse(p, {"--technique", "websocket", "--port=0", "--rate", "2.5", "--timeout", "500ms", "--payload=4KiB"}));
  EXPECT_EQ(p.technique, "websocket");
  EXPECT_EQ(p.port, 0u);
  EXPECT_EQ(p.rate, 2.5);
  EXPECT_EQ(p.timeout, 500ms);
  EXPECT_EQ(p.payload, 4096u);
}

TEST(Flags, ErrorsNameTheFlagAndTheProblem) {
  Parsed p;
  EXPECT_EQ(parse(p, {"--nope", "1"}), "--nope: unknown flag (see --help)");
  EXPECT_EQ(parse(p, {"--port", "abc"}), "--port: 'abc' is not a whole number");
  EXPECT_EQ(parse(p, {"--port", "70000"}), "--port: '70000' is out of range (0 to 65535)");
  EXPECT_EQ(parse(p, {"--technique", "smoke"}), "--technique: 'smoke' is not one of the choices");
  EXPECT_EQ(parse(p, {"--timeout", "10x"}), "--timeout: '10x' is not a duration (like 500ms, 10s, 2m)");
  EXPECT_EQ(parse(p, {"--payload", "lots"}), "--payload: 'lots' is not a size (like 64, 4KiB, 1MiB)");
  EXPECT_EQ(parse(p, {"--rate"}), "--rate: missing value");
  EXPECT_EQ(parse(p, {"stray"}), "'stray': unexpected argument (flags start with --)");
}

TEST(Flags, HelpIsReportedAndUsageListsEveryFlagWithDefaults) {
  Parsed p;
  bool help = false;
  EXPECT_FALSE(parse(p, {"--help"}, &help));
  EXPECT_TRUE(help);
  Flags flags("prog", "[flags]");
  flags.uint("port", &p.port, "TCP port", 0, 65535).duration("timeout", &p.timeout, "how long", 1ms, 1h);
  const std::string usage = flags.usage();
  EXPECT_NE(usage.find("--port"), std::string::npos);
  EXPECT_NE(usage.find("[default: 8080]"), std::string::npos);
  EXPECT_NE(usage.find("[default: 1s]"), std::string::npos);
}

}  // namespace
}  // namespace pushbench

namespace pushbench {
namespace {

TEST(Flags, ToggleTakesNoValue) {
  bool json = false;
  std::uint64_t port = 0;
  Flags flags("prog", "[flags]");
  flags.toggle("json", &json, "as JSON").uint("port", &port, "port", 0, 65535);
  bool help = false;
  EXPECT_EQ(flags.parse({"--json", "--port", "9"}, help), std::nullopt);
  EXPECT_TRUE(json);
  EXPECT_EQ(port, 9u);
  EXPECT_EQ(flags.parse({"--json=yes"}, help), "--json: takes no value");
}

}  // namespace
}  // namespace pushbench
