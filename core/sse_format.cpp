#include "core/sse_format.hpp"

namespace pushbench {

std::string sse_event_frame(std::uint64_t seq, std::string_view json) {
  std::string frame;
  frame.reserve(json.size() + 32);
  frame += "id: ";
  frame += std::to_string(seq);
  frame += "\ndata: ";
  frame += json;
  frame += "\n\n";
  return frame;
}

std::string sse_retry_frame(std::chrono::milliseconds retry) {
  return "retry: " + std::to_string(retry.count()) + "\n\n";
}

}  // namespace pushbench
