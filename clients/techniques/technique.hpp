#pragma once
#include <cstddef>
#include <memory>
#include <span>
#include <string_view>

namespace pushbench {

class Connection;
class Worker;

// A push technique's client side. Each technique is one file in this folder plus one line in
// registry.cpp.
struct ClientTechnique {
  std::string_view name;  // as given to --technique
  std::shared_ptr<Connection> (*make)(Worker& worker, std::size_t index);
};

std::span<const ClientTechnique> client_techniques();

std::shared_ptr<Connection> make_short_poll(Worker& worker, std::size_t index);
std::shared_ptr<Connection> make_long_poll(Worker& worker, std::size_t index);
std::shared_ptr<Connection> make_sse(Worker& worker, std::size_t index);
std::shared_ptr<Connection> make_websocket(Worker& worker, std::size_t index);
std::shared_ptr<Connection> make_socketio(Worker& worker, std::size_t index);

}  // namespace pushbench
