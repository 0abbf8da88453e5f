// HealthCheck: what GET /healthz answers (docs/metrics.md, "Health"). passgated is healthy
// when
//   - its event loop runs: the check runs on the loop, so a hung loop answers nothing at all
//     (a prober's time-out is the failure), and
//   - its database takes a durable write: writing the gate_status row "healthz_probe"
//     succeeded. The write is made at most once per kProbeInterval; in between, the last
//     probe's result stands.
// Not part of health, because the gate goes on doing the right thing (and metrics show
// them): the fire alarm, lanes out of service or in fault, a lost scanner, the tracking
// engine or payment gateway unreachable, a payment backlog. Single-threaded, on the loop.
#pragma once

#include <optional>
#include <string>

#include "common/clock.hpp"
#include "db/gate_status.hpp"

namespace passgate::controller {

class HealthCheck {
 public:
  static constexpr Millis kProbeInterval{10000};

  HealthCheck(db::GateStatus& status, Clock& clock) : status_(status), clock_(clock) {}

  // Empty when healthy; otherwise why not ("database: <error>").
  [[nodiscard]] std::optional<std::string> problem();

 private:
  db::GateStatus& status_;
  Clock& clock_;
  std::optional<SteadyTime> probed_at_;
  std::optional<std::string> problem_;
};

}  // namespace passgate::controller
