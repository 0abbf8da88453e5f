#include "controller/gate.hpp"

#include <spdlog/spdlog.h>

#include "controller/entry_lane.hpp"
#include "controller/exit_lane.hpp"
#include "hw/line_names.hpp"
#include "hw/scan_text.hpp"

namespace passgate::controller {

Gate::Gate(const GateConfig& config, hw::IoBackend& io, TimerService& timers, Clock& clock, AdmissionPort& admission,
           LaneReports& reports)
    : io_(io), inputs_(timers, config.io.sim_debounce, *this) {
  const LanePorts ports{io, timers, clock, admission, reports};
  for (const auto& lc : config.lanes) {
    inputs_.add_lane(lc.number);
    if (lc.kind == LaneKind::entry) {
      auto lane = std::make_unique<EntryLane>(lc, ports);
      scanners_.emplace(hw::entry_scanner_name(lc.number), lane.get());
      lanes_.emplace(lc.number, std::move(lane));
    } else {
      lanes_.emplace(lc.number, std::make_unique<ExitLane>(lc, ports));
    }
  }
  // Until the alarm loop is known to be clear, it is an alarm.
  for (auto& [n, lane] : lanes_) lane->on_alarm(true);
  io_.set_listener(this);
}

Gate::~Gate() { io_.set_listener(nullptr); }

void Gate::on_input(const std::string& line, bool active) {
  if (auto st = inputs_.on_input(line, active); !st.ok()) {
    spdlog::warn("input {}: {}", line, st.error().message);
  }
}

void Gate::on_scan(const std::string& scanner, const std::string& text) {
  const auto it = scanners_.find(scanner);
  if (it == scanners_.end()) {
    spdlog::warn("scan from unknown scanner {} ignored", scanner);
    return;
  }
  it->second->on_scan(hw::normalize_scan_text(text));
}

void Gate::on_passage(int lane, hw::PassageDirection direction) {
  if (Lane* l = find(lane)) l->on_passage(direction);
}

void Gate::on_beams(int lane, hw::Occupancy occupancy) {
  if (Lane* l = find(lane)) l->on_beams(hw::outer_blocked(occupancy), hw::inner_blocked(occupancy));
}

void Gate::on_passage_sensor(int lane) { spdlog::debug("lane {}: passage sensor pulse", lane); }

void Gate::on_fire_alarm(bool active) {
  if (active == alarm_) return;
  alarm_ = active;
  if (active) {
    spdlog::critical("FIRE ALARM: every lane free in both directions");
  } else {
    spdlog::warn("fire alarm cleared: lanes back in service");
  }
  for (auto& [n, lane] : lanes_) lane->on_alarm(active);
}

const Lane* Gate::lane(int number) const {
  const auto it = lanes_.find(number);
  return it == lanes_.end() ? nullptr : it->second.get();
}

std::vector<const Lane*> Gate::lanes() const {
  std::vector<const Lane*> out;
  for (const auto& [n, lane] : lanes_) out.push_back(lane.get());
  return out;
}

Lane* Gate::find(int number) {
  const auto it = lanes_.find(number);
  return it == lanes_.end() ? nullptr : it->second.get();
}

}  // namespace passgate::controller
