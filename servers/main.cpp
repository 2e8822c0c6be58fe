// pushbench-server: the push techniques over one shared event log (docs/spec.md).
#include <csignal>
#include <iostream>
#include <stdexcept>

#include "servers/backends.hpp"

int main(int argc, char** argv) {
  const pushbench::ServerOptions options = pushbench::parse_server_options(argc, argv);
  // OpenSSL writes with write(): a client gone mid-write must be an error, not the end of the server.
  std::signal(SIGPIPE, SIG_IGN);
  for (const pushbench::Backend& backend : pushbench::backends()) {
    if (backend.name != options.backend) continue;
    try {
      backend.serve(options);
      return 0;
    } catch (const pushbench::CannotListen& error) {
      std::cerr << "pushbench-server: cannot listen on " << options.bind << ":" << options.port << ": "
                << error.reason.message() << "\n";
      return 1;
    } catch (const pushbench::CannotStart& error) {
      std::cerr << "pushbench-server: " << error.what() << "\n";
      return 1;
    }
  }
  return 2;  // parse_server_options accepts only the names of backends()
}
