#include "controller/tracking/watched_tracking.hpp"

#include <spdlog/spdlog.h>

#include "common/log_value.hpp"

namespace passgate::controller {

void WatchedTracking::post_json(const std::string& target, const std::string& body, std::chrono::milliseconds timeout,
                                Callback done) {
  tracking_.post_json(target, body, timeout, noting(std::move(done)));
}

void WatchedTracking::get(const std::string& target, std::chrono::milliseconds timeout, Callback done) {
  tracking_.get(target, timeout, noting(std::move(done)));
}

TrackingPort::Callback WatchedTracking::noting(Callback done) {
  return [this, done = std::move(done)](HttpReply reply) {
    note(reply);
    done(std::move(reply));
  };
}

void WatchedTracking::note(const HttpReply& reply) {
  const bool reachable = !reply.unreachable();
  if (reachability_ && reachability_->reachable == reachable) return;
  reachability_ = Reachability{reachable, clock_.wall_now()};
  if (reachable) {
    spdlog::info("event=tracking_reachable status={}", reply.status);
  } else {
    spdlog::warn("event=tracking_unreachable status={} error={}", reply.status, log_value(reply.error));
  }
}

}  // namespace passgate::controller
