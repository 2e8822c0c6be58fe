#pragma once
#include <span>
#include <string_view>

#include "servers/shared_state.hpp"

namespace httplib {
struct Request;
struct Response;
}  // namespace httplib

namespace pushbench {

// A technique on the thread-per-connection backend: the handler runs on the connection's pool
// thread and may block it (long poll) or keep it (SSE). One file per technique plus one line
// in httplib_registry.cpp.
struct HttplibTechnique {
  std::string_view name;
  std::string_view path;
  void (*serve)(SharedState& state, const httplib::Request& request, httplib::Response& response);
};

std::span<const HttplibTechnique> httplib_techniques();

void httplib_short_poll(SharedState& state, const httplib::Request& request, httplib::Response& response);
void httplib_long_poll(SharedState& state, const httplib::Request& request, httplib::Response& response);
void httplib_sse(SharedState& state, const httplib::Request& request, httplib::Response& response);

}  // namespace pushbench
