// pushbench-server: the four push techniques over one shared event log (see ../shared/SPEC.md).
#include <boost/system/system_error.hpp>
#include <iostream>

#include "servers/httplib/httplib_server.hpp"
#include "servers/server.hpp"

namespace {

// Listens, says where (the SPEC's one line), and serves until a stop signal.
template <typename Backend>
void serve(const pushbench::ServerOptions& options) {
  Backend server(options);
  const auto endpoint = server.listen();
  const std::string host = endpoint.address().is_v6() ? "[" + endpoint.address().to_string() + "]"
                                                      : endpoint.address().to_string();
  std::cout << "listening on http://" << host << ":" << endpoint.port() << std::endl;
  server.run();
}

}  // namespace

int main(int argc, char** argv) {
  const pushbench::ServerOptions options = pushbench::parse_server_options(argc, argv);
  try {
    if (options.backend == "httplib") serve<pushbench::HttplibServer>(options);
    else serve<pushbench::Server>(options);
  } catch (const boost::system::system_error& error) {
    std::cerr << "pushbench-server: cannot listen on " << options.bind << ":" << options.port << ": "
              << error.code().message() << "\n";
    return 1;
  }
  return 0;
}
