#pragma once
#include <memory>

#include "servers/http_session.hpp"

namespace pushbench {

// Answers one request: the always-on endpoints (/healthz, /stats, /publish) here, a technique's
// endpoint through the technique registry; 404, 405 and 400 {"error"} for the rest.
void route(const std::shared_ptr<HttpSession>& session, Request request);

}  // namespace pushbench
