#pragma once
#include <boost/system/error_code.hpp>
#include <span>
#include <string_view>

#include "servers/server_options.hpp"

namespace pushbench {

// The server cannot listen (the address is in use or not this machine's, no permission...).
struct CannotListen {
  boost::system::error_code reason;
};

// The server architectures, one row each: the name --backend takes and how it serves (listens,
// prints the ready line, runs until a stop signal; throws CannotListen). Which techniques each
// serves is in the technique table.
struct Backend {
  std::string_view name;
  std::string_view summary;
  void (*serve)(const ServerOptions& options);
};

std::span<const Backend> backends();

}  // namespace pushbench
