#include "servers/httplib/techniques.hpp"

namespace pushbench {

std::span<const HttplibTechnique> httplib_techniques() {
  static constexpr HttplibTechnique registry[] = {
      {"short-poll", "/poll", httplib_short_poll},
      {"long-poll", "/long-poll", httplib_long_poll},
      {"sse", "/sse", httplib_sse},
  };
  return registry;
}

}  // namespace pushbench
