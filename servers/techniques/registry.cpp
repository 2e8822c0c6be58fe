#include "servers/techniques/technique.hpp"

namespace pushbench {

std::span<const ServerTechnique> server_techniques() {
#define PUSHBENCH_SERVER_ROW(id, name, ...) ServerTechnique{*find_technique(name), serve_##id},
  static const ServerTechnique registry[] = {PUSHBENCH_TECHNIQUES(PUSHBENCH_SERVER_ROW)};
#undef PUSHBENCH_SERVER_ROW
  return registry;
}

}  // namespace pushbench
