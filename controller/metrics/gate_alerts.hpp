// Conditions that make the gate unhealthy (/healthz answers 503) and that `passgatectl
// status` lists, each with what to do: the tracking-engine outbox stuck (its oldest waiting
// message older than [tracking] outbox_alert_after_s), the wall clock having stepped back
// within the last kClockStepAlertFor, and the wall clock so far behind the gate's own records
// that every entry token is refused (docs/clocks.md). Pure functions.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "common/clock.hpp"
#include "controller/settlement/wall_clock_watch.hpp"
#include "db/outbox.hpp"
#include "db/session_store.hpp"

namespace passgate::controller {

inline constexpr std::chrono::hours kClockStepAlertFor{1};

// Each returns a sentence for people (without an area prefix), or nothing.
// Why the outbox is stuck, if it is. Its age is by the wall clock (each message's creation
// time), so a clock step changes it by the step.
[[nodiscard]] std::optional<std::string> outbox_stuck(const db::OutboxSummary& outbox, std::int64_t now_ms,
                                                      std::chrono::seconds alert_after);
// The backwards step of the wall clock noticed within the last kClockStepAlertFor, if any.
[[nodiscard]] std::optional<std::string> clock_stepped_back(const std::optional<NoticedStepBack>& step, SteadyTime now);
// Why every entry token is refused `expired`, if it is: the wall clock (`now_s`) is more than
// db::kUsedTokenMarginS behind `purge_mark_s`, the time used token ids were last purged by
// (db::SessionStore::begin refuses such tokens, whose ids may be forgotten already). A clock
// stepped back past the gate's records, or a database from a gate whose clock ran ahead; it
// lasts until the clock has caught up.
[[nodiscard]] std::optional<std::string> entry_refused_by_clock(std::int64_t purge_mark_s, std::int64_t now_s);

}  // namespace passgate::controller
