#pragma once
#include <span>
#include <string_view>

#include "servers/server_options.hpp"

namespace pushbench {

// The server architectures, one row each: the name --backend takes and how it serves (listens,
// prints the ready line, runs until a stop signal; throws boost::system::system_error when it
// cannot listen). Which techniques each serves is in the technique table.
struct Backend {
  std::string_view name;
  std::string_view summary;
  void (*serve)(const ServerOptions& options);
};

std::span<const Backend> backends();

}  // namespace pushbench
