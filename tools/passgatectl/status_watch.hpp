// passgatectl status --watch: asks the gate for its status every interval and prints it
// again only when something changed (uptime and ages do not count): on a terminal in place
// (cleared and redrawn), through a pipe as a new block under a "=== <time>" line, with
// --json as one JSON line. Ends on Ctrl-C or SIGTERM (exit 0) or when the gate goes away (3).
#pragma once

#include <chrono>
#include <ostream>

#include <nlohmann/json.hpp>

#include "tools/passgatectl/commands.hpp"

namespace passgate::ctl {

// `reply` without what changes at every look though nothing happened (uptime_s, *age_s).
[[nodiscard]] nlohmann::json without_clock(const nlohmann::json& reply);

[[nodiscard]] int watch_status(const Cli& cli, std::chrono::milliseconds interval,
                               void (*print)(const nlohmann::json&, std::ostream&));

}  // namespace passgate::ctl
