#pragma once
#include <memory>
#include <span>
#include <string_view>

#include "core/query.hpp"
#include "servers/http_session.hpp"

namespace pushbench {

// A push technique's server side: the endpoint it serves and what it does with a GET there.
// Each technique is one file in this folder plus one line in registry.cpp.
struct Technique {
  std::string_view name;  // as given to --technique
  std::string_view path;
  // Answers now (session->send), later (long poll) or takes the connection over (streams);
  // throws BadRequest for a malformed query.
  void (*serve)(const std::shared_ptr<HttpSession>& session, Request& request, const Target& target);
};

std::span<const Technique> techniques();

void serve_short_poll(const std::shared_ptr<HttpSession>& session, Request& request, const Target& target);
void serve_long_poll(const std::shared_ptr<HttpSession>& session, Request& request, const Target& target);
void serve_sse(const std::shared_ptr<HttpSession>& session, Request& request, const Target& target);
void serve_websocket(const std::shared_ptr<HttpSession>& session, Request& request, const Target& target);

}  // namespace pushbench
