#pragma once
#include <cstdint>
#include <string>

#include "core/histogram.hpp"

namespace pushbench::relay {

// What one relay thread did; the threads' stats are summed once, at the end (merge).
struct RelayStats {
  std::uint64_t accepted = 0;
  std::uint64_t target_connect_failures = 0;
  std::uint64_t bytes_down = 0;  // server to client, written
  std::uint64_t bytes_up = 0;    // client to server, written
  std::uint64_t resets = 0;
  std::uint64_t stalls = 0;
  std::uint64_t stuck_connections = 0;
  // How late a held chunk went out after its due time: the relay's own precision.
  Histogram lateness;

  void merge(const RelayStats& other);
  // One JSON object, with the process's CPU seconds and the options' profile given by the caller.
  std::string to_json(double cpu_s, double elapsed_s) const;
};

}  // namespace pushbench::relay
