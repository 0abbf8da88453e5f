// HealthCheck: what GET /healthz answers (docs/metrics.md, "Health"). passgated is healthy
// when
//   - its event loop runs: the check runs on the loop, so a hung loop answers nothing at all
//     (a prober's time-out is the failure),
//   - its database takes a durable write: writing the gate_status row "healthz_probe"
//     succeeded,
//   - its outbox is not stuck: the oldest message waiting for the tracking engine is younger
//     than [tracking] outbox_alert_after_s (controller/metrics/gate_alerts.hpp), and
//   - its wall clock has not stepped back within the last hour, nor is it so far behind the
//     gate's records that every entry token is refused (gate_alerts.hpp).
// The checks run at most once per kProbeInterval; in between, the last verdict stands.
// Not part of health, because the gate goes on doing the right thing (and metrics show
// them): the fire alarm, lanes out of service or in fault, a lost scanner, the tracking
// engine or payment gateway unreachable (until the outbox is stuck), a payment backlog.
// Single-threaded, on the loop.
#pragma once

#include <optional>
#include <string>

#include "common/clock.hpp"
#include "controller/config/config.hpp"
#include "controller/settlement/wall_clock_watch.hpp"
#include "db/gate_status.hpp"
#include "db/outbox.hpp"
#include "db/session_store.hpp"

namespace passgate::controller {

class HealthCheck {
 public:
  static constexpr Millis kProbeInterval{10000};

  // `tracking`: the settings in force (outbox_alert_after, live on reload).
  // `sessions`: where the used token ids' purge mark is kept.
  HealthCheck(db::GateStatus& status, db::Outbox& outbox, db::SessionStore& sessions, const WallClockWatch& clock_watch,
              const TrackingConfig& tracking, Clock& clock)
      : status_(status),
        outbox_(outbox),
        sessions_(sessions),
        clock_watch_(clock_watch),
        tracking_(tracking),
        clock_(clock) {}

  // Empty when healthy; otherwise why not, each problem after its area ("database: <error>",
  // "outbox: ...", "clock: ...", separated by "; ").
  [[nodiscard]] std::optional<std::string> problem();

 private:
  [[nodiscard]] std::optional<std::string> check();

  db::GateStatus& status_;
  db::Outbox& outbox_;
  db::SessionStore& sessions_;
  const WallClockWatch& clock_watch_;
  const TrackingConfig& tracking_;
  Clock& clock_;
  std::optional<SteadyTime> probed_at_;
  std::optional<std::string> problem_;
};

}  // namespace passgate::controller
