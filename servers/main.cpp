// pushbench-server: the four push techniques over one shared event log (see ../shared/SPEC.md).
#include <boost/system/system_error.hpp>
#include <iostream>

#include "servers/server.hpp"

int main(int argc, char** argv) {
  const pushbench::ServerOptions options = pushbench::parse_server_options(argc, argv);
  try {
    pushbench::Server server(options);
    const auto endpoint = server.listen();
    const std::string host = endpoint.address().is_v6() ? "[" + endpoint.address().to_string() + "]"
                                                        : endpoint.address().to_string();
    std::cout << "listening on http://" << host << ":" << endpoint.port() << std::endl;
    server.run();
  } catch (const boost::system::system_error& error) {
    std::cerr << "pushbench-server: cannot listen on " << options.bind << ":" << options.port << ": "
              << error.code().message() << "\n";
    return 1;
  }
  return 0;
}
