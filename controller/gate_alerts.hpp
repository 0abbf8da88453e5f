// Two conditions that make the gate unhealthy (/healthz answers 503) and that
// `passgatectl status` lists, each with what to do: the tracking-engine outbox stuck (its
// oldest waiting message older than [tracking] outbox_alert_after_s), and the wall clock
// having stepped back within the last kClockStepAlertFor (docs/clocks.md). Pure functions.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "common/clock.hpp"
#include "controller/wall_clock_watch.hpp"
#include "db/outbox.hpp"

namespace passgate::controller {

inline constexpr std::chrono::hours kClockStepAlertFor{1};

// Each returns a sentence for people (without an area prefix), or nothing.
// Why the outbox is stuck, if it is. Its age is by the wall clock (each message's creation
// time), so a clock step changes it by the step.
[[nodiscard]] std::optional<std::string> outbox_stuck(const db::OutboxSummary& outbox, std::int64_t now_ms,
                                                      std::chrono::seconds alert_after);
// The backwards step of the wall clock noticed within the last kClockStepAlertFor, if any.
[[nodiscard]] std::optional<std::string> clock_stepped_back(const std::optional<NoticedStepBack>& step, SteadyTime now);

}  // namespace passgate::controller
