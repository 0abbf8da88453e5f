// libFuzzer target: arbitrary bytes as an HTTP response from a backend (the tracking engine
// or the payment gateway), through the ResponseParser both clients read every response with
// (status line, headers, chunked and sized bodies, trailers). The first byte picks the read
// size (1 to 256 bytes, as the network may split a response) and whether the limits are the
// clients' defaults or small ones (so the bounds are reached often); the rest is the
// response, followed by the end of the stream. Besides crashes and sanitizer reports, it
// aborts when the bytes held unconsumed exceed the limit of the unfinished element plus one
// read, a parsed body exceeds the body limit, or a refusal has an unknown code or no message.
// Seed corpus: corpus/http_response/ (sized, chunked with extensions and a trailer,
// to-the-end bodies, and hostile ones).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "drivers/http/response_parser.hpp"

namespace {

namespace drivers = passgate::drivers;

void require(bool promise_kept) {
  if (!promise_kept) __builtin_trap();
}

bool known_code(const std::string& code) {
  return code == "header_limit" || code == "chunk_header_limit" || code == "body_limit" ||
         code == "bad_response" || code == "truncated";
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::size_t piece = (data[0] & 0x7f) + 1;  // 1 .. 128, doubled below for the defaults
  const bool small = (data[0] & 0x80) != 0;
  const drivers::ResponseLimits limits = small ? drivers::ResponseLimits{64, 16, 256} : drivers::ResponseLimits{};
  const std::size_t read = small ? piece : 2 * piece;
  const std::string_view bytes(reinterpret_cast<const char*>(data + 1), size - 1);

  drivers::ResponseParser parser(limits);
  std::string held;  // what a connection's buffer holds: received, not yet consumed
  bool refused = false;
  for (std::size_t at = 0; at < bytes.size() && !parser.done(); at += read) {
    held.append(bytes.substr(at, read));
    auto used = parser.put(held);
    if (!used) {
      require(known_code(used.error().code) && !used.error().message.empty());
      refused = true;
      break;
    }
    require(*used <= held.size());
    held.erase(0, *used);
    if (!parser.done()) require(held.size() <= std::max(limits.header_bytes, limits.chunk_header_bytes));
  }
  if (refused) return 0;
  if (auto ended = parser.put_eof(); !ended) {
    require(known_code(ended.error().code) && !ended.error().message.empty());
    return 0;
  }
  require(parser.done());
  const auto response = parser.take();
  require(response.body.size() <= limits.body_bytes);
  require(response.status >= 0 && response.status <= 999);
  return 0;
}
