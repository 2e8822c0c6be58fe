#pragma once
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <memory>
#include <optional>
#include <string>

#include "clients/wire.hpp"

namespace pushbench {

class Worker;

// How a client of a technique that only receives (SSE, polling, HTTP streaming) sends: each
// message is a POST /publish?from=TAG on a keep-alive connection of its own, beside the one that
// receives. Requests are pipelined (written when due, not after the previous answer), so a slow
// answer never delays the next message; answers are read in order. A failed connection loses
// the requests it had in flight or waiting (counted); the next message opens another.
class Upstream : public std::enable_shared_from_this<Upstream> {
 public:
  Upstream(Worker& worker, WireTap tap, std::string host, std::string target);

  void send(std::string body);
  void close();

 private:
  void connect();
  void connected(boost::system::error_code ec);
  void write_next();
  void read_answers();
  void fail();
  void lose(std::size_t requests);

  Worker& worker_;
  WireTap tap_;
  std::string host_;
  std::string target_;
  std::optional<Wire> stream_;
  bool connecting_ = false;
  bool connected_ = false;
  bool writing_ = false;
  bool reading_ = false;
  bool closed_ = false;
  std::string pending_;  // requests due and not yet written
  std::string writing_bytes_;
  std::size_t pending_requests_ = 0;
  std::size_t unanswered_ = 0;    // written, waiting for their answer
  std::uint64_t generation_ = 0;  // of the connection; handlers of a failed one only count what it lost
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::response_parser<boost::beast::http::string_body>> parser_;
};

}  // namespace pushbench
