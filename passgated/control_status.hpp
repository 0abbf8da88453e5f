// The `status` control command: the one answer store IT looks at first. The gate's identity
// and uptime, the fire alarm, a summary of the lanes, the tracking engine's reachability and
// outbox (its dead letters, stuck or not), a recent backwards step of the wall clock, sessions by state, the
// session-ending writes waiting for the database, payments (gateway reachability, the payment queue, dead letters,
// settlements) and `attention`: one sentence per thing a person should look at (empty when
// all is well). Counts only: never a token, shopper or payment reference.
#pragma once

#include <chrono>

#include <nlohmann/json.hpp>

#include "common/clock.hpp"
#include "common/result.hpp"
#include "controller/lanes/gate.hpp"
#include "passgated/control_sources.hpp"

namespace passgate::daemon {

struct Uptime {
  WallTime started_at;
  std::chrono::seconds running{0};
};

[[nodiscard]] Result<nlohmann::json> status_reply(const controller::Gate& gate, const ControlSources& sources,
                                                  const Uptime& uptime, WallTime now, SteadyTime steady_now);

}  // namespace passgate::daemon
