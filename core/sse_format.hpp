#pragma once
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace pushbench {

// Server-side text/event-stream framing (WHATWG HTML, "Server-sent events").

// "id: SEQ\n", "event: NAME\n" when named, a "data: " line per line of `data`, then a blank line.
std::string sse_event_frame(std::uint64_t seq, std::string_view data, std::string_view name = {});

// "retry: MS\n\n": sent first, tells EventSource how long to wait before reconnecting.
std::string sse_retry_frame(std::chrono::milliseconds retry);

// A comment line; EventSource ignores it, so it keeps idle proxies and NATs from closing the stream.
inline constexpr std::string_view sse_heartbeat_frame = ":\n\n";

}  // namespace pushbench
