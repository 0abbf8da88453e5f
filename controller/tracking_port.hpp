// TrackingPort: how the controller talks to the store's tracking engine
// (spec/tracking-engine-api.md): JSON over HTTP(S), asynchronously, each request bounded
// by a timeout. Implemented by drivers/tracking_client.hpp; tests use a fake.
#pragma once

#include <chrono>
#include <functional>
#include <string>

namespace passgate::controller {

struct HttpReply {
  // 0 when there was no HTTP response at all (connect failure, timeout, reset, TLS error).
  int status = 0;
  std::string body;
  std::string error;  // why there was no response, for logs
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
