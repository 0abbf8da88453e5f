// The lanes as a table (passgatectl lanes, and within passgatectl status): one row per lane
// with its kind, state, service, scanner (ok or FAULT), card entry (on, off and why, or - for
// a lane without a card reader) and active alarms, from the gate's
// JSON lane objects (passgated/control_lanes.hpp).
#pragma once

#include <ostream>

#include <nlohmann/json.hpp>

namespace passgate::ctl {

void print_lanes_table(const nlohmann::json& lanes, std::ostream& out);

}  // namespace passgate::ctl
