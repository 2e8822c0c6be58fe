#include "core/sse_format.hpp"

namespace pushbench {

std::string sse_event_frame(std::uint64_t seq, std::string_view data, std::string_view name) {
  std::string frame;
  frame.reserve(data.size() + 32);
  frame += "id: ";
  frame += std::to_string(seq);
  if (!name.empty()) (frame += "\nevent: ") += name;
  for (std::size_t start = 0;;) {
    const std::size_t end = data.find('\n', start);
    (frame += "\ndata: ") += data.substr(start, end - start);
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  frame += "\n\n";
  return frame;
}

std::string sse_retry_frame(std::chrono::milliseconds retry) {
  return "retry: " + std::to_string(retry.count()) + "\n\n";
}

}  // namespace pushbench
