#include "tools/passgatectl/lanes_table.hpp"

#include <string>

#include "tools/passgatectl/display_format.hpp"

namespace passgate::ctl {

using json = nlohmann::json;

namespace {

std::string joined_alarms(const json& lane) {
  std::string out;
  for (const auto& a : lane.value("active_alarms", json::array())) out += (out.empty() ? "" : ",") + a.get<std::string>();
  return out.empty() ? "-" : out;
}

std::string scanner_state(const json& lane) {
  const auto scanner = lane.value("scanner", json::object());
  if (scanner.empty()) return "-";
  return scanner.value("connected", false) ? "ok" : "FAULT";
}

}  // namespace

void print_lanes_table(const json& lanes, std::ostream& out) {
  TableRows rows{{"LANE", "KIND", "STATE", "SERVICE", "SCANNER", "ALARMS"}};
  for (const auto& lane : lanes) {
    rows.push_back({std::to_string(lane.value("lane", 0)), lane.value("kind", ""), lane.value("state", ""),
                    lane.value("in_service", true) ? "in service" : "OUT OF SERVICE", scanner_state(lane),
                    joined_alarms(lane)});
  }
  print_table(rows, out);
}

}  // namespace passgate::ctl
