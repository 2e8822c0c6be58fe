#include "core/techniques.hpp"

#include <utility>

#include "core/json.hpp"

namespace pushbench {

bool TechniqueInfo::served_on(std::string_view backend) const {
  return (backend == "beast" && on_beast) || (backend == "httplib" && on_httplib);
}

std::span<const TechniqueInfo> technique_table() {
#define PUSHBENCH_TECHNIQUE_INFO(id, name, path, beast, httplib, interval, resumes, summary) \
  {name, path, beast, httplib, interval, resumes, summary},
  static constexpr TechniqueInfo table[] = {PUSHBENCH_TECHNIQUES(PUSHBENCH_TECHNIQUE_INFO)};
#undef PUSHBENCH_TECHNIQUE_INFO
  return table;
}

std::span<const PeerProtocolInfo> peer_protocol_table() {
#define PUSHBENCH_PEER_INFO(id, name, path, transports, summary) {name, path, transports, summary},
  static constexpr PeerProtocolInfo table[] = {PUSHBENCH_PEER_PROTOCOLS(PUSHBENCH_PEER_INFO)};
#undef PUSHBENCH_PEER_INFO
  return table;
}

const TechniqueInfo* find_technique(std::string_view name) {
  for (const TechniqueInfo& technique : technique_table()) {
    if (technique.name == name) return &technique;
  }
  return nullptr;
}

namespace {

using Fields = std::initializer_list<std::pair<std::string_view, std::string_view>>;

// {"key":"value",...,"list_key":["word",...]} from space-separated `words`, after a comma if needed.
void append_row(std::string& out, Fields fields, std::string_view list_key, std::string_view words) {
  if (out.back() == '}') out += ',';
  out += '{';
  for (const auto& [key, value] : fields) {
    append_json_string(out, key);
    out += ':';
    append_json_string(out, value);
    out += ',';
  }
  append_json_string(out, list_key);
  out += ":[";
  for (bool first = true; !words.empty(); first = false) {
    const auto end = words.find(' ');
    if (!first) out += ',';
    append_json_string(out, words.substr(0, end));
    words = end == std::string_view::npos ? std::string_view{} : words.substr(end + 1);
  }
  out += "]}";
}

}  // namespace

std::string technique_table_json() {
  std::string out = "{\"techniques\":[";
  for (const TechniqueInfo& t : technique_table()) {
    const std::string backends = std::string(t.on_beast ? "beast " : "") + (t.on_httplib ? "httplib" : "");
    append_row(out,
               {{"name", t.name},
                {"path", t.path},
                {"polls_on_interval", t.polls_on_interval ? "yes" : "no"},
                {"resumes_with", t.resumes_with},
                {"summary", t.summary}},
               "backends", backends);
  }
  out += "],\"peer_protocols\":[";
  for (const PeerProtocolInfo& p : peer_protocol_table()) {
    append_row(out, {{"name", p.name}, {"path", p.path}, {"summary", p.summary}}, "transports", p.transports);
  }
  return out + "]}";
}

}  // namespace pushbench
