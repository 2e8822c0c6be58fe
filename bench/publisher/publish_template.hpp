#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/event.hpp"

namespace pushbench {

// A publish request's body as a server wants it: text with $event (the SPEC event's JSON),
// $event_string (that JSON as a JSON string, for servers that wrap it, like Pushpin's control
// API), $seq and $prev_seq in it. Parsed once into pieces; rendered per event.
class PublishTemplate {
 public:
  explicit PublishTemplate(std::string_view text);
  static PublishTemplate load(const std::string& path);  // exits 2 naming the file when unreadable

  std::string render(const EncodedEvent& event, std::uint64_t seq) const;

 private:
  enum class Slot { text, event, event_string, seq, prev_seq };
  struct Piece {
    Slot slot;
    std::string text;
  };
  std::vector<Piece> pieces_;
};

}  // namespace pushbench
