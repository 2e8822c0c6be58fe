#include "clients/techniques/technique.hpp"

namespace pushbench {

std::span<const ClientTechnique> client_techniques() {
#define PUSHBENCH_CLIENT_ROW(id, name, path, ...) ClientTechnique{name, path, connect_##id},
  static constexpr ClientTechnique registry[] = {PUSHBENCH_TECHNIQUES(PUSHBENCH_CLIENT_ROW)
                                                     PUSHBENCH_PEER_PROTOCOLS(PUSHBENCH_CLIENT_ROW)};
#undef PUSHBENCH_CLIENT_ROW
  return registry;
}

}  // namespace pushbench
