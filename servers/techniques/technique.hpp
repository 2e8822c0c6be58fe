#pragma once
#include <span>

#include "core/query.hpp"
#include "core/techniques.hpp"
#include "servers/exchange.hpp"

namespace pushbench {

// A technique's server side: its row of the technique table and what it does with a GET at its
// endpoint, on any backend. It throws BadRequest for a malformed query.
struct ServerTechnique {
  const TechniqueInfo& info;
  void (*serve)(Exchange& exchange, const Target& target);
};

// One per row of PUSHBENCH_TECHNIQUES, in its order.
std::span<const ServerTechnique> server_techniques();

#define PUSHBENCH_DECLARE_SERVE(id, ...) void serve_##id(Exchange& exchange, const Target& target);
PUSHBENCH_TECHNIQUES(PUSHBENCH_DECLARE_SERVE)
#undef PUSHBENCH_DECLARE_SERVE

}  // namespace pushbench
