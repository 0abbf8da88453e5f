#include "controller/metrics_health.hpp"

#include <spdlog/spdlog.h>

#include "common/log_value.hpp"
#include "common/time_format.hpp"

namespace passgate::controller {

std::optional<std::string> HealthCheck::problem() {
  const SteadyTime now = clock_.steady_now();
  if (probed_at_ && now - *probed_at_ < kProbeInterval) return problem_;
  probed_at_ = now;
  const Status written = status_.set("healthz_probe", "ok", unix_millis(clock_.wall_now()));
  const bool was_healthy = !problem_;
  problem_ = written.ok() ? std::nullopt : std::optional<std::string>("database: " + written.error().message);
  if (problem_ && was_healthy) {
    spdlog::error("event=health_failed reason={}", log_value(*problem_));
  } else if (!problem_ && !was_healthy) {
    spdlog::info("event=health_restored");
  }
  return problem_;
}

}  // namespace passgate::controller
