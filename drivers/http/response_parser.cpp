#include "drivers/http/response_parser.hpp"

#include <algorithm>
#include <cstdint>
#include <limits>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>

namespace passgate::drivers {

namespace http = boost::beast::http;
using boost::system::error_code;

ResponseParser::ResponseParser(const ResponseLimits& limits) : limits_(limits) {
  parser_.header_limit(static_cast<std::uint32_t>(
      std::min<std::size_t>(limits_.header_bytes, std::numeric_limits<std::uint32_t>::max())));
  parser_.body_limit(limits_.body_bytes);
  // Not eager: Boost 1.74's eager parse drops the body limit error of a Content-Length past
  // the limit when body bytes follow the header in the same input, and then reserves that
  // length (found by fuzz_http_response). put() calls the parser once per element instead.
}

Result<std::size_t> ResponseParser::put(std::string_view input) {
  std::size_t used = 0;
  while (!parser_.is_done() && used < input.size()) {
    // Boost 1.74 asserts that it has 5 bytes or more when it resumes a last chunk whose
    // trailer was incomplete, which 1-byte reads can break. A chunked body always has at
    // least "0\r\n\r\n" (5 bytes) to come, so holding fewer back never stalls a response.
    if (parser_.is_header_done() && parser_.chunked() && input.size() - used < 5) break;
    error_code ec;
    const bool in_header = !parser_.is_header_done();
    const std::size_t n = parser_.put(boost::asio::buffer(input.data() + used, input.size() - used), ec);
    used += n;
    if (in_header && !parser_.is_header_done() && n > 0) {
      // The status line was consumed on its own: Beast's limit counts only what follows it.
      header_consumed_ += n;
      parser_.header_limit(static_cast<std::uint32_t>(
          std::min<std::size_t>(limits_.header_bytes - std::min(header_consumed_, limits_.header_bytes - 1),
                                std::numeric_limits<std::uint32_t>::max())));
    }
    if (ec == http::error::need_more) break;
    if (ec) return refused(ec);
    if (n == 0) break;
  }
  // What is left unconsumed is one unfinished element: the header, or a chunk header line
  // (or the trailer). Refused once it is past that element's limit, so the caller never
  // holds more than the limit plus one read.
  const std::size_t pending = input.size() - used;
  if (!parser_.is_done()) {
    if (!parser_.is_header_done() && header_consumed_ + pending > limits_.header_bytes) {
      return refused(http::error::header_limit);
    }
    if (parser_.is_header_done() && parser_.chunked() && pending > limits_.chunk_header_bytes) {
      return make_error("chunk_header_limit", "a chunk header line (or the trailer) exceeds " +
                                                  std::to_string(limits_.chunk_header_bytes) + " bytes");
    }
  }
  return used;
}

Status ResponseParser::put_eof() {
  if (parser_.is_done()) return {};
  error_code ec;
  if (parser_.got_some()) parser_.put_eof(ec);
  if (ec || !parser_.got_some()) {
    return make_error("truncated", "the connection ended before the end of the response");
  }
  return {};
}

ParsedResponse ResponseParser::take() {
  auto& message = parser_.get();
  ParsedResponse out;
  out.status = static_cast<int>(message.result_int());
  out.body = std::move(message.body());
  for (const auto& field : message) out.headers.emplace_back(field.name_string(), field.value());
  out.keep_alive = parser_.keep_alive();
  return out;
}

Error ResponseParser::refused(const error_code& ec) const {
  if (ec == http::error::header_limit) {
    return make_error("header_limit",
                      "the status line and headers exceed " + std::to_string(limits_.header_bytes) + " bytes");
  }
  if (ec == http::error::body_limit) {
    return make_error("body_limit", "the body is larger than " + std::to_string(limits_.body_bytes) + " bytes");
  }
  if (ec == http::error::bad_content_length) {
    // Beast says so also of a length beyond 2^64; ours are never near the body limit.
    return make_error("body_limit", "the Content-Length is not a byte count up to the " +
                                        std::to_string(limits_.body_bytes) + "-byte body limit");
  }
  return make_error("bad_response", "not a valid HTTP/1.1 response (" + ec.message() + ")");
}

Result<ParsedResponse> parse_response(std::string_view bytes, const ResponseLimits& limits, std::size_t piece) {
  ResponseParser parser(limits);
  std::string pending;
  for (std::size_t at = 0; at < bytes.size() && !parser.done(); at += piece) {
    pending.append(bytes.substr(at, piece));
    auto used = parser.put(pending);
    if (!used) return used.error();
    pending.erase(0, *used);
  }
  if (auto ended = parser.put_eof(); !ended) return ended.error();
  return parser.take();
}

}  // namespace passgate::drivers
