#pragma once
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>

namespace pushbench {

// Feeds what `buffer` holds to a Beast HTTP parser until the message is done or the parser needs
// more bytes (a header is parsed only once it is whole, so its bytes stay in the buffer until
// then). Returns the parser's error, never need_more.
template <typename Parser, typename Buffer>
boost::beast::error_code parse_buffered(Parser& parser, Buffer& buffer) {
  boost::beast::error_code ec;
  while (buffer.size() > 0 && !parser.is_done()) {
    buffer.consume(parser.put(buffer.data(), ec));
    if (ec == boost::beast::http::error::need_more) return {};
    if (ec) return ec;
  }
  return ec;
}

}  // namespace pushbench
