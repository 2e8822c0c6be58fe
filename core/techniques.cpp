#include "core/techniques.hpp"

#include "core/json.hpp"

namespace pushbench {

bool TechniqueInfo::served_on(std::string_view backend) const {
  return (backend == "beast" && on_beast) || (backend == "httplib" && on_httplib);
}

std::span<const TechniqueInfo> technique_table() {
#define PUSHBENCH_TECHNIQUE_INFO(id, name, path, beast, httplib, resumes, summary) {name, path, beast, httplib, resumes, summary},
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

void append_string_list(std::string& out, std::string_view words) {
  out += '[';
  bool first = true;
  while (!words.empty()) {
    const auto end = words.find(' ');
    if (!first) out += ',';
    append_json_string(out, words.substr(0, end));
    first = false;
    words = end == std::string_view::npos ? std::string_view{} : words.substr(end + 1);
  }
  out += ']';
}

void append_field(std::string& out, std::string_view key, std::string_view value) {
  append_json_string(out, key);
  out += ':';
  append_json_string(out, value);
  out += ',';
}

}  // namespace

std::string technique_table_json() {
  std::string out = "{\"techniques\":[";
  for (const TechniqueInfo& t : technique_table()) {
    if (out.back() == '}') out += ',';
    out += '{';
    append_field(out, "name", t.name);
    append_field(out, "path", t.path);
    append_field(out, "resumes_with", t.resumes_with);
    append_field(out, "summary", t.summary);
    out += "\"backends\":";
    append_string_list(out, std::string(t.on_beast ? "beast " : "") + (t.on_httplib ? "httplib" : ""));
    out += '}';
  }
  out += "],\"peer_protocols\":[";
  for (const PeerProtocolInfo& p : peer_protocol_table()) {
    if (out.back() == '}') out += ',';
    out += '{';
    append_field(out, "name", p.name);
    append_field(out, "path", p.path);
    append_field(out, "summary", p.summary);
    out += "\"transports\":";
    append_string_list(out, p.transports);
    out += '}';
  }
  return out + "]}";
}

}  // namespace pushbench
