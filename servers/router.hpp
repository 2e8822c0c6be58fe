#pragma once
#include "servers/exchange.hpp"

namespace pushbench {

// Answers one request on any backend: the endpoints every server has (/healthz, /stats,
// /techniques, /publish, /publisher, the demo page), a technique's endpoint through the technique table, and
// 404, 405 and 400 {"error"} for the rest.
void route(Exchange& exchange);

}  // namespace pushbench
