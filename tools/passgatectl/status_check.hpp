// passgatectl status --check: the gate's status judged as a monitoring plugin does (the
// Nagios/Icinga/Zabbix convention): one line "PASSGATE OK|WARNING|CRITICAL|UNKNOWN - reasons
// | perfdata" and the exit code 0, 1, 2 or 3.
//   CRITICAL: the fire alarm active, a lane in fault, payment dead letters, quarantined carts,
//             sessions whose sealing key is not configured, a stuck outbox or a wall clock
//             that stepped back (/healthz fails), a gate that cannot read its own status
//             (its database).
//   WARNING:  the tracking engine or the payment gateway unreachable, a lane out of service,
//             a scanner lost, an active lane alarm, tracking-engine dead letters, the oldest
//             payment operation older than 15 minutes, shoppers refused after an offline
//             admission, an owed sum that is only a lower bound.
//   UNKNOWN:  the gate cannot be reached.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/result.hpp"

namespace passgate::ctl {

enum class CheckLevel { ok = 0, warning = 1, critical = 2, unknown = 3 };

struct CheckVerdict {
  CheckLevel level = CheckLevel::ok;
  std::vector<std::string> reasons;  // worst first; a summary of the gate when OK
  nlohmann::json perfdata = nlohmann::json::object();  // name -> number (ages in seconds)
};

// How long the oldest payment operation may wait before it is a warning.
inline constexpr std::int64_t kQueueAgeWarningS = 15 * 60;

// The verdict on a status reply (passgated/control_status.hpp).
[[nodiscard]] CheckVerdict check_status(const nlohmann::json& status);
// The verdict when the status could not be had: UNKNOWN when the gate cannot be reached,
// CRITICAL when it answered but could not tell its status.
[[nodiscard]] CheckVerdict check_failed(const Error& error);
// "PASSGATE CRITICAL - reason; reason | name=value ..."
[[nodiscard]] std::string check_line(const CheckVerdict& verdict);
// {"level": "CRITICAL", "exit_code": 2, "reasons": [...], "perfdata": {...}}
[[nodiscard]] nlohmann::json check_json(const CheckVerdict& verdict);

}  // namespace passgate::ctl
