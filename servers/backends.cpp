#include "servers/backends.hpp"

#include <iostream>

#include "servers/beast/beast_server.hpp"
#include "servers/httplib/httplib_server.hpp"

namespace pushbench {
namespace {

template <typename Server>
void serve(const ServerOptions& options) {
  Server server(options);
  boost::asio::ip::tcp::endpoint endpoint;
  try {
    endpoint = server.listen();
  } catch (const boost::system::system_error& error) {
    throw CannotListen{error.code()};
  }
  const std::string host =
      endpoint.address().is_v6() ? "[" + endpoint.address().to_string() + "]" : endpoint.address().to_string();
  const char* scheme = options.tls.enabled() ? "https" : "http";
  std::cout << "listening on " << scheme << "://" << host << ":" << endpoint.port()
            << std::endl;  // the SPEC's ready line
  server.run();
}

}  // namespace

std::span<const Backend> backends() {
  static constexpr Backend table[] = {
      {"beast", "event loop: Boost.Beast/Asio, --threads io_context threads", serve<BeastServer>},
      {"httplib", "thread per connection: cpp-httplib's blocking server", serve<HttplibServer>},
  };
  return table;
}

}  // namespace pushbench
