#include "passgated/control_lanes.hpp"

#include <spdlog/spdlog.h>

#include "common/log_value.hpp"
#include "passgated/control_request.hpp"
#include "hw/line_names.hpp"

namespace passgate::daemon {

using json = nlohmann::json;

json lane_json(const controller::LaneStatus& s) {
  json alarms = json::object();
  for (const auto kind : controller::kAlarmKinds) alarms[std::string(to_string(kind))] = s.alarms.count(kind);
  json active = json::array();
  for (const auto kind : s.alarms.active_list()) active.push_back(std::string(to_string(kind)));
  json lane{{"lane", s.number},
            {"kind", s.kind == controller::LaneKind::entry ? "entry" : "exit"},
            {"state", s.state},
            {"in_service", s.in_service},
            {"alarms", alarms},
            {"active_alarms", active}};
  if (s.scanner_connected) {
    lane["scanner"] = json{{"name", hw::entry_scanner_name(s.number)},
                           {"connected", *s.scanner_connected},
                           {"detail", s.scanner_detail}};
  }
  if (s.card_entry) {
    lane["card_entry"] = json{{"enabled", s.card_entry->enabled},
                              {"reason", s.card_entry->enabled ? "" : s.card_entry->reason},
                              {"phase", s.card_entry->phase}};
  }
  return lane;
}

Result<int> lane_argument(const json& request) {
  auto lane = integer_argument(request, "lane", kLaneRange);
  if (!lane.ok()) return lane.error();
  return static_cast<int>(*lane);
}

json lanes_reply(const controller::Gate& gate) {
  json lanes = json::array();
  for (const auto& s : gate.lane_status()) lanes.push_back(lane_json(s));
  return drivers::control_ok(
      json{{"fire_alarm", gate.fire_alarm()}, {"fire_alarm_cause", fire_alarm_cause_json(gate)}, {"lanes", lanes}});
}

json fire_alarm_cause_json(const controller::Gate& gate) {
  const auto cause = gate.fire_alarm_cause();
  if (!cause) return nullptr;
  return json{{"code", cause->code}, {"text", cause->text}};
}

json set_service(controller::Gate& gate, int lane, const json& request, const drivers::ControlPeer& peer) {
  const bool in_service = request.at("in_service").get<bool>();
  if (auto done = gate.set_in_service(lane, in_service); !done) return drivers::control_error(done.error());
  spdlog::warn("event=lane_service lane={} in_service={} operator={} uid={} reason={}", lane, in_service,
               log_value(operator_of(request, peer)), peer.uid(), log_value(request.value("reason", std::string())));
  for (const auto& s : gate.lane_status()) {
    if (s.number == lane) return drivers::control_ok(json{{"lane", lane_json(s)}});
  }
  return drivers::control_ok();
}

}  // namespace passgate::daemon
