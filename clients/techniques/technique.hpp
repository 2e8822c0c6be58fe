#pragma once
#include <cstddef>
#include <memory>
#include <span>
#include <string_view>

#include "core/techniques.hpp"

namespace pushbench {

class Connection;
class Worker;

// A technique's client side (or a peer protocol's): its name and endpoint from the technique
// table in core, and how to make one connection. One file per technique in this folder.
struct ClientTechnique {
  std::string_view name;  // as given to --technique
  std::string_view path;
  std::shared_ptr<Connection> (*connect)(Worker& worker, std::size_t index);
};

// One per row of PUSHBENCH_TECHNIQUES, then one per row of PUSHBENCH_PEER_PROTOCOLS.
std::span<const ClientTechnique> client_techniques();

#define PUSHBENCH_DECLARE_CONNECT(id, ...) std::shared_ptr<Connection> connect_##id(Worker& worker, std::size_t index);
PUSHBENCH_TECHNIQUES(PUSHBENCH_DECLARE_CONNECT)
PUSHBENCH_PEER_PROTOCOLS(PUSHBENCH_DECLARE_CONNECT)
#undef PUSHBENCH_DECLARE_CONNECT

}  // namespace pushbench
