#include "bench/publisher/publish_template.hpp"

#include <array>
#include <fstream>
#include <iostream>
#include <sstream>

#include "core/json.hpp"

namespace pushbench {

namespace {
struct Name {
  std::string_view text;
  int slot;
};
// Longest first: $event_string is not $event followed by "_string".
constexpr std::array<Name, 4> names{{{"$event_string", 2}, {"$event", 1}, {"$prev_seq", 4}, {"$seq", 3}}};
}  // namespace

PublishTemplate::PublishTemplate(std::string_view text) {
  std::string literal;
  while (!text.empty()) {
    bool matched = false;
    for (const Name& name : names) {
      if (!text.starts_with(name.text)) continue;
      if (!literal.empty()) pieces_.push_back({Slot::text, std::move(literal)});
      literal.clear();
      pieces_.push_back({static_cast<Slot>(name.slot), {}});
      text.remove_prefix(name.text.size());
      matched = true;
      break;
    }
    if (matched) continue;
    literal += text.front();
    text.remove_prefix(1);
  }
  if (!literal.empty()) pieces_.push_back({Slot::text, std::move(literal)});
}

PublishTemplate PublishTemplate::load(const std::string& path) {
  std::ifstream file(path);
  std::stringstream text;
  if (!file || !(text << file.rdbuf())) {
    std::cerr << "pushbench-publisher: --template: cannot read '" << path << "'\n";
    std::exit(2);
  }
  return PublishTemplate(text.str());
}

std::string PublishTemplate::render(const EncodedEvent& event, std::uint64_t seq) const {
  std::string out;
  for (const Piece& piece : pieces_) {
    switch (piece.slot) {
      case Slot::text:
        out += piece.text;
        break;
      case Slot::event:
        out += event.json;
        break;
      case Slot::event_string:
        append_json_string(out, event.json);
        break;
      case Slot::seq:
        out += std::to_string(seq);
        break;
      case Slot::prev_seq:
        out += std::to_string(seq - 1);
        break;
    }
  }
  return out;
}

}  // namespace pushbench
