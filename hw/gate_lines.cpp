#include "hw/gate_lines.hpp"

#include <algorithm>

#include "hw/line_names.hpp"

namespace passgate::hw {

GateLines gate_lines(const std::vector<int>& entry_lanes, const std::vector<int>& exit_lanes) {
  std::vector<int> lanes = entry_lanes;
  lanes.insert(lanes.end(), exit_lanes.begin(), exit_lanes.end());
  std::sort(lanes.begin(), lanes.end());

  GateLines lines;
  for (const int lane : lanes) {
    for (const LineRole role : kLineRoles) {
      (is_input(role) ? lines.inputs : lines.outputs).push_back(line_name(lane, role));
    }
    if (std::find(entry_lanes.begin(), entry_lanes.end(), lane) != entry_lanes.end()) {
      lines.scanners.push_back(entry_scanner_name(lane));
    }
  }
  lines.inputs.emplace_back(kFireAlarm);
  return lines;
}

}  // namespace passgate::hw
