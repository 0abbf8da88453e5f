// Offline risk limits: how much money the gate may let shoppers owe while the payment
// gateway cannot confirm their hold. Checked when an entry needs a hold and the gateway's
// answer is unknown; exceeding any limit denies that entry with offline_limit (exit lanes
// never consult it). Pure functions, no I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "controller/config/config.hpp"
#include "db/payment_queue.hpp"

namespace passgate::controller {

// The first limit that admitting one more session with `hold_minor` would exceed, in words,
// or nothing. `totals` already include the new session's own pre-authorization.
[[nodiscard]] std::optional<std::string> exceeded_offline_limit(const OfflineRiskLimits& limits,
                                                                std::int64_t hold_minor, const std::string& currency,
                                                                const db::QueueTotals& totals, std::int64_t now_ms);
// The same, with the age of the oldest outstanding operation measured by the caller
// (WallClockWatch::oldest_age_ms, which a step back of the wall clock cannot shrink); nullopt:
// none is outstanding.
[[nodiscard]] std::optional<std::string> exceeded_offline_limit(const OfflineRiskLimits& limits,
                                                                std::int64_t hold_minor, const std::string& currency,
                                                                const db::QueueTotals& totals,
                                                                std::optional<std::int64_t> oldest_age_ms);

}  // namespace passgate::controller
