#include "controller/metrics/health.hpp"

#include <spdlog/spdlog.h>

#include "common/log_value.hpp"
#include "common/time_format.hpp"
#include "controller/metrics/gate_alerts.hpp"

namespace passgate::controller {

std::optional<std::string> HealthCheck::check() {
  const std::int64_t now_ms = unix_millis(clock_.wall_now());
  std::string problems;
  const auto add = [&problems](const std::string& problem) {
    if (!problems.empty()) problems += "; ";
    problems += problem;
  };
  if (const Status written = status_.set("healthz_probe", "ok", now_ms); !written.ok()) {
    add("database: " + written.error().message);
  }
  if (auto outbox = outbox_.summary(); !outbox.ok()) {
    add("database: " + outbox.error().message);
  } else if (auto stuck = outbox_stuck(*outbox, now_ms, tracking_.outbox_alert_after)) {
    add("outbox: " + *stuck);
  }
  if (auto stepped = clock_stepped_back(clock_watch_.last_step_back(), clock_.steady_now())) add("clock: " + *stepped);
  if (auto mark = sessions_.token_purge_mark(); !mark.ok()) {
    add("database: " + mark.error().message);
  } else if (auto refused = entry_refused_by_clock(*mark, now_ms / 1000)) {
    add("clock: " + *refused);
  }
  if (problems.empty()) return std::nullopt;
  return problems;
}

std::optional<std::string> HealthCheck::problem() {
  const SteadyTime now = clock_.steady_now();
  if (probed_at_ && now - *probed_at_ < kProbeInterval) return problem_;
  probed_at_ = now;
  const std::optional<std::string> was = problem_;
  problem_ = check();
  // Logged when the kinds of problem change (the texts carry ages that change every probe).
  const auto kinds = [](const std::optional<std::string>& p) {
    std::string k;
    if (!p) return k;
    for (const char* kind : {"database: ", "outbox: ", "clock: "}) {
      if (p->starts_with(kind) || p->find(std::string("; ") + kind) != std::string::npos) k += kind;
    }
    return k;
  };
  if (problem_ && kinds(problem_) != kinds(was)) {
    spdlog::error("event=health_failed reason={}", log_value(*problem_));
  } else if (!problem_ && was) {
    spdlog::info("event=health_restored");
  }
  return problem_;
}

}  // namespace passgate::controller
