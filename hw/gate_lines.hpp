// GateLines: every input line, output line and scanner name of a gate with the given lanes.
// Entry and exit lanes both have every role (lane<N>.beam_outer … lane<N>.buzzer); only
// entry lanes have a scanner (lane<N>.entry); the global fire_alarm is an input. Backends
// (the rig link, libgpiod) use it to know which names exist.
#pragma once

#include <string>
#include <vector>

namespace passgate::hw {

struct GateLines {
  std::vector<std::string> inputs;    // lane inputs in lane order, then fire_alarm
  std::vector<std::string> outputs;   // lane outputs in lane order
  std::vector<std::string> scanners;  // lane<N>.entry of each entry lane
};

// REQUIRES: lane numbers >= 1, each listed once in total.
[[nodiscard]] GateLines gate_lines(const std::vector<int>& entry_lanes, const std::vector<int>& exit_lanes);

}  // namespace passgate::hw
