// TrackingPort: how the controller talks to the store's tracking engine
// (docs/interfaces/tracking-engine.md): JSON over HTTP(S), asynchronously, each request bounded
// by a timeout. Implemented by drivers/tracking_client.hpp; tests use a fake.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "common/http_reply.hpp"

namespace passgate {

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

}  // namespace passgate
