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

// Card entry: "-" without a reader, "on", or "off" and why.
std::string card_state(const json& lane) {
  const auto card = lane.value("card_entry", json::object());
  if (card.empty()) return "-";
  if (card.value("enabled", false)) return "on";
  const std::string reason = card.value("reason", "");
  return reason.empty() ? "off" : "off: " + reason;
}

}  // namespace

void print_lanes_table(const json& lanes, std::ostream& out) {
  TableRows rows{{"LANE", "KIND", "STATE", "SERVICE", "SCANNER", "CARD", "ALARMS"}};
  for (const auto& lane : lanes) {
    rows.push_back({std::to_string(lane.value("lane", 0)), lane.value("kind", ""), lane.value("state", ""),
                    lane.value("in_service", true) ? "in service" : "OUT OF SERVICE", scanner_state(lane),
                    card_state(lane), joined_alarms(lane)});
  }
  print_table(rows, out);
}

}  // namespace passgate::ctl
