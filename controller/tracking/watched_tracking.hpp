// WatchedTracking: the tracking engine as the controller uses it. A TrackingPort that passes
// every request through to the real one and notes, from each reply, whether the engine is
// reachable (an HTTP answer below 500; HttpReply::unreachable) and since when that is so,
// for `passgatectl status`. A change is logged. Unknown until the first reply.
// Single-threaded, on the event loop.
#pragma once

#include <optional>

#include "common/clock.hpp"
#include "ports/tracking_port.hpp"

namespace passgate::controller {

struct Reachability {
  bool reachable = false;
  WallTime since{};  // the first reply of the current state
};

class WatchedTracking final : public TrackingPort {
 public:
  WatchedTracking(TrackingPort& tracking, Clock& clock) : tracking_(tracking), clock_(clock) {}

  void post_json(const std::string& target, const std::string& body, std::chrono::milliseconds timeout,
                 Callback done) override;
  void get(const std::string& target, std::chrono::milliseconds timeout, Callback done) override;

  [[nodiscard]] const std::optional<Reachability>& reachability() const { return reachability_; }

 private:
  [[nodiscard]] Callback noting(Callback done);
  void note(const HttpReply& reply);

  TrackingPort& tracking_;
  Clock& clock_;
  std::optional<Reachability> reachability_;
};

}  // namespace passgate::controller
