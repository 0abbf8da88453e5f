#include "passgated/status_snapshot.hpp"

#include "common/denial_reason.hpp"
#include "common/time_format.hpp"
#include "controller/lanes/entry_lane.hpp"
#include "hw/line_names.hpp"
#include "passgated/control_lanes.hpp"

namespace passgate::daemon {

using json = nlohmann::json;

namespace {

constexpr hw::LineRole kOutputRoles[] = {hw::LineRole::release_in, hw::LineRole::release_out, hw::LineRole::led_green,
                                         hw::LineRole::led_red, hw::LineRole::buzzer};

bool debounced(const std::vector<controller::InputLevel>& inputs, const std::string& line) {
  for (const auto& level : inputs) {
    if (level.line == line) return level.debounced;
  }
  return false;
}

json lane_picture(const controller::LaneStatus& status, const SnapshotSources& sources,
                  const std::vector<controller::InputLevel>& inputs, const RecentScans& scans) {
  json lane = lane_json(status);
  const int n = status.number;
  lane["beams"] = {{"outer", debounced(inputs, hw::line_name(n, hw::LineRole::beam_outer))},
                   {"inner", debounced(inputs, hw::line_name(n, hw::LineRole::beam_inner))}};
  json outputs = json::object();
  for (const auto role : kOutputRoles) outputs[std::string(hw::to_string(role))] = sources.io.output(hw::line_name(n, role));
  lane["outputs"] = outputs;
  const auto* entry = dynamic_cast<const controller::EntryLane*>(sources.gate.lane(n));
  lane["places_left"] = entry != nullptr ? entry->places_left() : 0;
  lane["recent_scans"] = scans.of_lane(n);
  return lane;
}

}  // namespace

void RecentScans::add(int lane, const controller::AdmissionResult& answer, WallTime at) {
  json scan{{"at", format_rfc3339_ms(at)},
            {"at_ms", unix_millis(at)},
            {"outcome", answer.admitted ? "admitted" : "denied"},
            {"way", answer.way == controller::EntryWay::card ? "card" : "app"}};
  if (answer.admitted) {
    scan["people"] = answer.people;
    scan["offline"] = answer.offline;
  } else {
    scan["reason"] = std::string(to_string(answer.reason));
  }
  auto& list = scans_[lane];
  list.push_front(std::move(scan));
  if (list.size() > kRecentScans) list.pop_back();
}

json RecentScans::of_lane(int lane) const {
  const auto found = scans_.find(lane);
  if (found == scans_.end()) return json::array();
  return json(std::vector<json>(found->second.begin(), found->second.end()));
}

json database_part(const SnapshotSources& sources, const Uptime& uptime, WallTime now, SteadyTime steady_now) {
  auto status = status_reply(sources.gate, sources.control, uptime, now, steady_now);
  if (status.ok()) {
    json part = std::move(*status);
    part.erase("ok");
    part["database"] = {{"ok", true}};
    return part;
  }
  return json{{"store_id", sources.control.config.store_id},
              {"gate_id", sources.control.config.gate_id},
              {"started_at", format_rfc3339_ms(uptime.started_at)},
              {"uptime_s", uptime.running.count()},
              {"attention", json::array({"the database cannot be read: " + status.error().message})},
              {"database", {{"ok", false}, {"error", status.error().message}}}};
}

json snapshot(json status, const SnapshotSources& sources, const RecentScans& scans) {
  const auto inputs = sources.gate.inputs();
  json lanes = json::array();
  for (const auto& s : sources.gate.lane_status()) lanes.push_back(lane_picture(s, sources, inputs, scans));
  status["lanes"] = std::move(lanes);
  status["fire_alarm"] = sources.gate.fire_alarm();
  status["fire_alarm_cause"] = fire_alarm_cause_json(sources.gate);
  status["version"] = sources.version;
  const auto problem = sources.health ? sources.health() : std::nullopt;
  status["health"] = problem ? json{{"ok", false}, {"problem", *problem}} : json{{"ok", true}};
  return status;
}

}  // namespace passgate::daemon
