#include "core/techniques.hpp"

#include <gtest/gtest.h>

#include <set>

namespace pushbench {
namespace {

TEST(Techniques, NamesAndEndpointsAreUnique) {
  std::set<std::string_view> names, paths;
  for (const TechniqueInfo& t : technique_table()) {
    EXPECT_TRUE(names.insert(t.name).second) << t.name;
    EXPECT_TRUE(paths.insert(t.path).second) << t.path;
    EXPECT_TRUE(t.path.starts_with("/")) << t.path;
    EXPECT_TRUE(t.on_beast || t.on_httplib) << t.name << " is served by no backend";
  }
  for (const PeerProtocolInfo& p : peer_protocol_table()) EXPECT_TRUE(names.insert(p.name).second) << p.name;
}

TEST(Techniques, LookupAndBackends) {
  const TechniqueInfo* ws = find_technique("websocket");
  ASSERT_NE(ws, nullptr);
  EXPECT_TRUE(ws->served_on("beast"));
  EXPECT_FALSE(ws->served_on("httplib"));
  EXPECT_FALSE(ws->served_on("nginx"));
  EXPECT_EQ(find_technique("carrier-pigeon"), nullptr);
}

TEST(Techniques, JsonNamesEveryRow) {
  const std::string json = technique_table_json();
  for (const TechniqueInfo& t : technique_table()) {
    EXPECT_NE(json.find("\"name\":\"" + std::string(t.name) + "\""), std::string::npos) << t.name;
  }
  EXPECT_NE(json.find("\"transports\":[\"websocket\",\"polling\"]"), std::string::npos) << json;
}

}  // namespace
}  // namespace pushbench
