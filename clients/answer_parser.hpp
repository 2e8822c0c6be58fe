#pragma once
#include <boost/beast/http/basic_parser.hpp>
#include <string>

namespace pushbench {

// An HTTP response parser for poll answers that keeps only what a poll needs: the status, the
// body and the cache validators that are nchan's cursor (Beast's basic_parser itself knows
// keep-alive, lengths and chunking). Beast's response_parser would store every header field in
// an allocated list, once per poll.
class AnswerParser final : public boost::beast::http::basic_parser<false> {
 public:
  unsigned status() const { return status_; }
  const std::string& body() const { return body_; }
  const std::string& last_modified() const { return last_modified_; }
  const std::string& etag() const { return etag_; }

 private:
  using error_code = boost::beast::error_code;
  using string_view = boost::beast::string_view;

  void on_request_impl(boost::beast::http::verb, string_view, string_view, int, error_code&) override {}
  void on_response_impl(int code, string_view, int, error_code&) override { status_ = static_cast<unsigned>(code); }
  void on_field_impl(boost::beast::http::field field, string_view, string_view value, error_code&) override {
    if (field == boost::beast::http::field::last_modified) last_modified_.assign(value.data(), value.size());
    if (field == boost::beast::http::field::etag) etag_.assign(value.data(), value.size());
  }
  void on_header_impl(error_code&) override {}
  void on_body_init_impl(const boost::optional<std::uint64_t>& length, error_code&) override {
    if (length) body_.reserve(static_cast<std::size_t>(*length));
  }
  std::size_t on_body_impl(string_view body, error_code&) override {
    body_.append(body.data(), body.size());
    return body.size();
  }
  void on_chunk_header_impl(std::uint64_t, string_view, error_code&) override {}
  std::size_t on_chunk_body_impl(std::uint64_t, string_view body, error_code& ec) override {
    return on_body_impl(body, ec);
  }
  void on_finish_impl(error_code&) override {}

  unsigned status_ = 0;
  std::string body_;
  std::string last_modified_;
  std::string etag_;
};

}  // namespace pushbench
