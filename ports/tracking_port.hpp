// TrackingPort: how the controller talks to the store's tracking engine
// (spec/tracking-engine-api.md): JSON over HTTP(S), asynchronously, each request bounded
// by a timeout. Implemented by drivers/tracking_client.hpp; tests use a fake.
#pragma once

#include <algorithm>
#include <cctype>
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace passgate::controller {

struct HttpReply {
  // 0 when there was no HTTP response at all (connect failure, timeout, reset, TLS error).
  int status = 0;
  std::string body;
  std::string error;  // why there was no response, for logs
  // The response's headers, in order. The explicit {} lets callers brace-initialize just
  // the members above without a missing-initializer warning.
  std::vector<std::pair<std::string, std::string>> headers{};
  // How many times the request was written to a connection: 2 when a reused keep-alive
  // connection turned out to be closed and the request was sent again on a fresh one, 0
  // when it never got that far (e.g. the connection could not be made).
  int sends = 0;

  // The first response header called `name` (case-insensitive), if any.
  [[nodiscard]] std::optional<std::string> header(std::string_view name) const {
    const auto same = [name](const std::string& key) {
      return std::equal(key.begin(), key.end(), name.begin(), name.end(), [](char a, char b) {
        return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
      });
    };
    for (const auto& [key, value] : headers)
      if (same(key)) return value;
    return std::nullopt;
  }
  // Connection failure, timeout or 5xx: the spec's "unreachable".
  [[nodiscard]] bool unreachable() const { return status == 0 || status >= 500; }
};

class TrackingPort {
 public:
  using Callback = std::function<void(HttpReply)>;
  virtual ~TrackingPort() = default;
  // Sends `body` (JSON) to `target` (e.g. "/v1/sessions") with X-Gate-Id, and calls `done`
  // exactly once, on the event loop, with the reply or the failure, within `timeout`.
  virtual void post_json(const std::string& target, const std::string& body,
                         std::chrono::milliseconds timeout, Callback done) = 0;
  virtual void get(const std::string& target, std::chrono::milliseconds timeout, Callback done) = 0;
};

}  // namespace passgate::controller
