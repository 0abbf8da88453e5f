// ResponseParser: reads one HTTP/1.1 response from the bytes a backend sends (the tracking
// engine, the payment gateway), holding no more than its limits allow whatever the peer sends:
//   - the status line and header fields together: at most `header_bytes`;
//   - each chunk header line (size and extensions) of a chunked body, and the trailer: at
//     most `chunk_header_bytes` each;
//   - the body, decoded: at most `body_bytes` (a larger Content-Length or chunk size is
//     refused before any of it is read).
// So whatever it has buffered is at most body_bytes + header_bytes, plus the unconsumed input
// the caller holds, which put() refuses once it exceeds the limit of the element it belongs to.
// Past a limit the response is refused with an error naming the bound; the caller must then
// close the connection (the rest of the stream is unknown).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include "common/result.hpp"

namespace passgate::drivers {

struct ResponseLimits {
  std::size_t header_bytes = 16 * 1024;
  std::size_t chunk_header_bytes = 1024;
  std::size_t body_bytes = std::size_t{1} << 20;
};

struct ParsedResponse {
  int status = 0;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // in order
  bool keep_alive = false;  // the connection may carry another request
};

class ResponseParser {
 public:
  explicit ResponseParser(const ResponseLimits& limits);

  // Parses what it can of `input` (the bytes received and not yet consumed, in order) and
  // returns how many of them it consumed; the caller keeps the rest and passes them again with
  // what arrives next. Error codes: "header_limit", "chunk_header_limit", "body_limit" (the
  // message names the bound, e.g. "the status line and headers exceed 16384 bytes") and
  // "bad_response" (not HTTP/1.1 as the spec allows).
  [[nodiscard]] Result<std::size_t> put(std::string_view input);
  // The peer closed the connection: ends a body that runs to the connection's end; any
  // other unfinished response is an error ("truncated").
  [[nodiscard]] Status put_eof();

  [[nodiscard]] bool done() const { return parser_.is_done(); }
  // Whether any of the response was parsed (a stale pooled connection sends nothing).
  [[nodiscard]] bool got_some() const { return parser_.got_some(); }
  // The response (REQUIRES: done()). Moves the body out.
  [[nodiscard]] ParsedResponse take();

 private:
  [[nodiscard]] Error refused(const boost::system::error_code& ec) const;

  ResponseLimits limits_;
  std::size_t header_consumed_ = 0;  // of the header, before it was complete
  boost::beast::http::response_parser<boost::beast::http::string_body> parser_;
};

// A whole response in `bytes`, delivered in pieces of at most `piece` bytes (as reads would
// deliver it) and followed by the end of the stream: for tests and the fuzz targets. Errors
// as ResponseParser's.
[[nodiscard]] Result<ParsedResponse> parse_response(std::string_view bytes, const ResponseLimits& limits,
                                                    std::size_t piece = 16 * 1024);

}  // namespace passgate::drivers
