// A tiny asynchronous HTTP/1.1 client for the gateway simulator tests (Boost.Beast, plain
// HTTP to 127.0.0.1, one fresh connection per request): unlike drivers::HttpClient it sends
// per-request headers and form bodies, and returns the response headers (Idempotent-Replayed,
// Retry-After). Use with await_reply (tests/support/run_until.hpp).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/io_context.hpp>

namespace passgate::test {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct TestHttpRequest {
  std::string method = "GET";
  std::string target;
  HeaderList headers;
  std::string body;  // application/x-www-form-urlencoded unless `headers` set Content-Type
};

struct TestHttpReply {
  int status = 0;     // 0: no response (refused, closed, reset)
  std::string error;  // why there was no response
  HeaderList headers;
  std::string body;

  // The first header called `name` (case-insensitive), if any.
  [[nodiscard]] std::optional<std::string> header(std::string_view name) const;
};

// Connects to 127.0.0.1:`port`, sends `request` and calls `done` once, from the io_context.
void send_test_request(boost::asio::io_context& io, std::uint16_t port, TestHttpRequest request,
                       std::function<void(TestHttpReply)> done);

}  // namespace passgate::test
