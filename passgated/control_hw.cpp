#include "passgated/control_hw.hpp"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "common/log_value.hpp"
#include "common/time_format.hpp"
#include "passgated/control_lanes.hpp"
#include "passgated/control_request.hpp"
#include "controller/lanes/scan_preview.hpp"
#include "hw/line_names.hpp"

namespace passgate::daemon {

using json = nlohmann::json;

namespace {

// What the backend last reported; null (unknown) before its first report.
json raw_json(const controller::InputLevel& i) { return i.raw ? json(*i.raw) : json(nullptr); }

// What the lanes act on; null (unknown) for a lane line nothing was reported of yet (the
// lanes take it as inactive), while fire_alarm counts as active from the start.
json level_json(const controller::InputLevel& i) {
  if (!i.raw && i.line != hw::kFireAlarm) return nullptr;
  return i.debounced;
}

}  // namespace

HwControl::HwControl(controller::Gate& gate, hw::IoBackend& io, TimerService& timers, Clock& clock)
    : gate_(gate), io_(io), timers_(timers), clock_(clock) {
  gate_.set_observer(this);
}

HwControl::~HwControl() {
  gate_.set_observer(nullptr);
  std::vector<std::string> lines;
  for (const auto& [line, pulse] : pulses_) lines.push_back(line);
  for (const auto& line : lines) end_pulse(line);
}

json HwControl::inputs(const json& request, const std::shared_ptr<drivers::ControlPeer>& peer) {
  json inputs = json::array();
  for (const auto& i : gate_.inputs()) {
    inputs.push_back(json{{"line", i.line}, {"raw", raw_json(i)}, {"level", level_json(i)}});
  }
  if (request.value("watch", false)) watch("inputs", input_watchers_, peer);
  return drivers::control_ok(json{
      {"fire_alarm", gate_.fire_alarm()}, {"fire_alarm_cause", fire_alarm_cause_json(gate_)}, {"inputs", inputs}});
}

json HwControl::scanners(const json& request, const std::shared_ptr<drivers::ControlPeer>& peer) {
  json scanners = json::array();
  for (const auto& s : io_.scanners()) {
    scanners.push_back(json{{"name", s.name},
                            {"kind", s.kind},
                            {"device", s.device},
                            {"connected", s.connected},
                            {"detail", s.detail}});
  }
  if (request.value("watch", false)) watch("scanners", scanner_watchers_, peer);
  return drivers::control_ok(json{{"scanners", scanners}});
}

json HwControl::pulse(const json& request, const drivers::ControlPeer& peer) {
  const std::string line = request.at("line").get<std::string>();
  const auto ms = integer_argument(request, "ms", IntegerRange{1, kMaxPulseMs});
  if (!ms.ok()) return drivers::control_error(ms.error());
  const auto parsed = hw::parse_line_name(line);
  if (!parsed || !parsed->role || hw::is_input(*parsed->role)) {
    return refused("unknown_line", "\"" + line + "\" is not an output line (outputs are lane<N>.release_in, "
                                                 "release_out, led_green, led_red and buzzer)");
  }
  if (const auto cause = gate_.fire_alarm_cause()) {
    return refused("fire_alarm", "the fire alarm is active (" + cause->text + "): every output stays as it requires");
  }
  const auto lanes = gate_.lane_status();
  const auto it = std::find_if(lanes.begin(), lanes.end(), [&](const auto& s) { return s.number == parsed->lane; });
  if (it == lanes.end()) return refused("unknown_line", "lane " + std::to_string(parsed->lane) + " is not configured");
  if (it->in_service || it->state != "out_of_service") {
    return refused("lane_in_service", "lane " + std::to_string(parsed->lane) + " is " +
                                          (it->in_service ? "in service" : "not settled out of service yet (" + it->state + ")") +
                                          "; take it out first: passgatectl lane " + std::to_string(parsed->lane) +
                                          " out-of-service");
  }
  if (pulses_.contains(line)) return refused("busy", line + " is already being pulsed");
  Pulse p{parsed->lane, nullptr};
  io_.set_output(line, true);
  p.timer = timers_.start(Millis(*ms), [this, line] { end_pulse(line); });
  pulses_.emplace(line, std::move(p));
  spdlog::info("event=hw_pulse line={} ms={} operator={} uid={}", line, *ms, log_value(operator_of(request, peer)),
               peer.uid());
  return drivers::control_ok(json{{"line", line}, {"ms", *ms}});
}

void HwControl::end_pulse(const std::string& line) {
  const auto it = pulses_.find(line);
  if (it == pulses_.end()) return;
  const int lane = it->second.lane;
  pulses_.erase(it);
  // The lane sets every output back to what its state (and a fire alarm) wants now.
  if (auto refreshed = gate_.refresh_outputs(lane); !refreshed) {
    spdlog::error("event=hw_pulse_restore_failed lane={} error={}", lane, log_value(refreshed.error().message));
  }
}

void HwControl::end_pulses_of_lane(int lane) {
  std::vector<std::string> lines;
  for (const auto& [line, pulse] : pulses_) {
    if (pulse.lane == lane) lines.push_back(line);
  }
  for (const auto& line : lines) end_pulse(line);
}

void HwControl::on_input_changed(const std::string& line) {
  if (input_watchers_.empty()) return;
  for (const auto& i : gate_.inputs()) {
    if (i.line != line) continue;
    broadcast(input_watchers_, json{{"event", "input"},
                                    {"at", now_text()},
                                    {"line", line},
                                    {"raw", raw_json(i)},
                                    {"level", level_json(i)}});
  }
}

void HwControl::on_scan_read(const std::string& scanner, const std::string& text) {
  if (scanner_watchers_.empty()) return;  // every scan passes here: no JSON unless watched
  broadcast(scanner_watchers_, json{{"event", "scan"},
                                    {"at", now_text()},
                                    {"scanner", scanner},
                                    {"text", controller::scan_preview(text)},
                                    {"length", text.size()}});
}

void HwControl::on_scanner_connection(const std::string& scanner, bool connected, const std::string& detail) {
  if (scanner_watchers_.empty()) return;
  broadcast(scanner_watchers_, json{{"event", "scanner"},
                                    {"at", now_text()},
                                    {"scanner", scanner},
                                    {"connected", connected},
                                    {"detail", detail}});
}

void HwControl::watch(const char* view, Peers& watchers, const std::shared_ptr<drivers::ControlPeer>& peer) {
  // Clients that hung up go now, not at the next event (a quiet view may have none for
  // hours); a client already watching is not added again (it would get every event twice).
  std::erase_if(watchers, [](const std::shared_ptr<drivers::ControlPeer>& p) { return !p->connected(); });
  if (std::find(watchers.begin(), watchers.end(), peer) != watchers.end()) return;
  watchers.push_back(peer);
  spdlog::info("event=hw_watch view={} uid={} watchers={}", view, peer->uid(), watchers.size());
}

void HwControl::broadcast(Peers& watchers, const json& event) {
  std::erase_if(watchers, [&](const std::shared_ptr<drivers::ControlPeer>& peer) { return !peer->send(event); });
}

std::string HwControl::now_text() const { return format_rfc3339_ms(clock_.wall_now()); }

}  // namespace passgate::daemon
