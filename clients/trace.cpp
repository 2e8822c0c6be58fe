#include "clients/trace.hpp"

#include <cstdio>

#include "core/clock.hpp"

namespace pushbench {

namespace {
constexpr std::size_t trace_limit = 1 << 20;
}

Trace::Trace(const std::string& path, const std::string& title) : out_(path), start_ns_(monotonic_ns()) {
  // The start on the events' clock, so that traces of different clients line up on their `ts`.
  out_ << "# pushbench-client trace: " << title << "\n"
       << "# started at " << realtime_ns() << " ns since the Unix epoch\n"
       << "# [ms since start] >>> client to server, <<< server to client; \\r, \\xNN escape what is not text\n";
}

double Trace::elapsed_ms() const { return static_cast<double>(monotonic_ns() - start_ns_) / 1e6; }

void Trace::note(std::string_view text) {
  char stamp[48];
  std::snprintf(stamp, sizeof stamp, "[%10.3f] ", elapsed_ms());
  out_ << stamp << "--- " << text << "\n";
}

void Trace::write(bool outgoing, std::string_view bytes) {
  if (written_ >= trace_limit) return;
  if (written_ + bytes.size() > trace_limit) bytes = bytes.substr(0, trace_limit - written_);
  written_ += bytes.size();
  char stamp[64];
  std::snprintf(stamp, sizeof stamp, "[%10.3f] %s %zu bytes\n", elapsed_ms(), outgoing ? ">>>" : "<<<", bytes.size());
  out_ << stamp;
  for (const char c : bytes) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '\n') {
      out_ << "\n";
    } else if (c == '\r') {
      out_ << "\\r";
    } else if (byte < 0x20 || byte >= 0x7f) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02x", byte);
      out_ << hex;
    } else {
      out_ << c;
    }
  }
  if (!bytes.empty() && bytes.back() != '\n') out_ << "\n";
  if (written_ >= trace_limit) out_ << "# trace truncated at " << trace_limit << " bytes\n";
  out_.flush();
}

}  // namespace pushbench
