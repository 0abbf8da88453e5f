#include "controller/main/control_commands.hpp"

#include <algorithm>
#include <optional>

#include <spdlog/spdlog.h>

#include "common/time_format.hpp"
#include "controller/scan_preview.hpp"
#include "hw/line_names.hpp"

namespace passgate::daemon {
namespace {

using json = nlohmann::json;

std::string_view kind_name(controller::LaneKind kind) { return kind == controller::LaneKind::entry ? "entry" : "exit"; }

json lane_json(const controller::LaneStatus& s) {
  json alarms = json::object();
  for (const auto kind : controller::kAlarmKinds) alarms[std::string(to_string(kind))] = s.alarms.count(kind);
  json active = json::array();
  for (const auto kind : s.alarms.active_list()) active.push_back(std::string(to_string(kind)));
  json lane{{"lane", s.number},         {"kind", kind_name(s.kind)}, {"state", s.state},
            {"in_service", s.in_service}, {"alarms", alarms},          {"active_alarms", active}};
  if (s.scanner_connected) {
    lane["scanner"] = json{{"name", hw::entry_scanner_name(s.number)}, {"connected", *s.scanner_connected}};
  }
  return lane;
}

json refused(std::string code, std::string message) { return drivers::control_error(make_error(std::move(code), std::move(message))); }

// Who asked, for the log: the operator passgatectl names and the connecting uid.
std::string who(const json& request, const drivers::ControlPeer& peer) {
  const auto name = request.value("operator", std::string());
  return (name.empty() ? "someone" : name) + " (uid " + std::to_string(peer.uid()) + ")";
}

}  // namespace

ControlCommands::ControlCommands(controller::Gate& gate, hw::IoBackend& io, TimerService& timers, Clock& clock)
    : gate_(gate), io_(io), timers_(timers), clock_(clock) {
  gate_.set_observer(this);
}

ControlCommands::~ControlCommands() {
  gate_.set_observer(nullptr);
  std::vector<std::string> lines;
  for (const auto& [line, pulse] : pulses_) lines.push_back(line);
  for (const auto& line : lines) end_pulse(line);
}

void ControlCommands::handle(const json& request, const std::shared_ptr<drivers::ControlPeer>& peer) {
  const std::string cmd = request["cmd"].get<std::string>();
  json reply;
  try {
    if (cmd == "lanes") {
      reply = lanes_reply();
    } else if (cmd == "lane.service") {
      reply = set_service(request, *peer);
    } else if (cmd == "hw.inputs") {
      reply = inputs_reply();
      if (request.value("watch", false)) input_watchers_.push_back(peer);
    } else if (cmd == "hw.pulse") {
      reply = pulse(request, *peer);
    } else if (cmd == "hw.scanners") {
      reply = scanners_reply();
      if (request.value("watch", false)) scanner_watchers_.push_back(peer);
    } else {
      reply = refused("unknown_command", "unknown command \"" + cmd + "\" (this gate knows: lanes, lane.service, "
                                                                      "hw.inputs, hw.pulse, hw.scanners)");
    }
  } catch (const json::exception& e) {
    reply = refused("malformed", std::string("a field of the request has the wrong type: ") + e.what());
  }
  (void)peer->send(reply);
}

json ControlCommands::lanes_reply() const {
  json lanes = json::array();
  for (const auto& s : gate_.lane_status()) lanes.push_back(lane_json(s));
  return drivers::control_ok(json{{"fire_alarm", gate_.fire_alarm()}, {"lanes", lanes}});
}

json ControlCommands::set_service(const json& request, const drivers::ControlPeer& peer) {
  const int lane = request.at("lane").get<int>();
  const bool in_service = request.at("in_service").get<bool>();
  end_pulses_of_lane(lane);
  if (auto done = gate_.set_in_service(lane, in_service); !done) return drivers::control_error(done.error());
  const auto reason = request.value("reason", std::string());
  spdlog::warn("lane {} {} by {}{}", lane, in_service ? "put back in service" : "taken out of service",
               who(request, peer), reason.empty() ? "" : ": " + reason);
  for (const auto& s : gate_.lane_status()) {
    if (s.number == lane) return drivers::control_ok(json{{"lane", lane_json(s)}});
  }
  return drivers::control_ok();
}

json ControlCommands::inputs_reply() const {
  json inputs = json::array();
  for (const auto& i : gate_.inputs()) {
    inputs.push_back(json{{"line", i.line}, {"raw", i.raw ? json(*i.raw) : json(nullptr)}, {"level", i.debounced}});
  }
  return drivers::control_ok(json{{"fire_alarm", gate_.fire_alarm()}, {"inputs", inputs}});
}

json ControlCommands::pulse(const json& request, const drivers::ControlPeer& peer) {
  const std::string line = request.at("line").get<std::string>();
  const int ms = request.at("ms").get<int>();
  const auto parsed = hw::parse_line_name(line);
  if (!parsed || !parsed->role || hw::is_input(*parsed->role)) {
    return refused("unknown_line", "\"" + line + "\" is not an output line (outputs are lane<N>.release_in, "
                                                 "release_out, led_green, led_red and buzzer)");
  }
  if (ms < 1 || ms > kMaxPulseMs) {
    return refused("invalid_argument", "a pulse lasts 1 to " + std::to_string(kMaxPulseMs) + " ms");
  }
  if (gate_.fire_alarm()) return refused("fire_alarm", "the fire alarm is active: every output stays as it requires");
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
  p.timer = timers_.start(Millis(ms), [this, line] { end_pulse(line); });
  pulses_.emplace(line, std::move(p));
  spdlog::info("hw pulse: {} active for {} ms, by {}", line, ms, who(request, peer));
  return drivers::control_ok(json{{"line", line}, {"ms", ms}});
}

void ControlCommands::end_pulse(const std::string& line) {
  const auto it = pulses_.find(line);
  if (it == pulses_.end()) return;
  const int lane = it->second.lane;
  pulses_.erase(it);
  // The lane sets every output back to what its state (and a fire alarm) wants now.
  if (auto refreshed = gate_.refresh_outputs(lane); !refreshed) {
    spdlog::error("hw pulse: cannot restore lane {}'s outputs: {}", lane, refreshed.error().message);
  }
}

void ControlCommands::end_pulses_of_lane(int lane) {
  std::vector<std::string> lines;
  for (const auto& [line, pulse] : pulses_) {
    if (pulse.lane == lane) lines.push_back(line);
  }
  for (const auto& line : lines) end_pulse(line);
}

json ControlCommands::scanners_reply() const {
  json scanners = json::array();
  for (const auto& s : io_.scanners()) {
    scanners.push_back(json{{"name", s.name},
                            {"kind", s.kind},
                            {"device", s.device},
                            {"connected", s.connected},
                            {"detail", s.detail}});
  }
  return drivers::control_ok(json{{"scanners", scanners}});
}

void ControlCommands::on_input_changed(const std::string& line) {
  if (input_watchers_.empty()) return;
  for (const auto& i : gate_.inputs()) {
    if (i.line != line) continue;
    broadcast(input_watchers_, json{{"event", "input"},
                                    {"at", now_text()},
                                    {"line", line},
                                    {"raw", i.raw ? json(*i.raw) : json(nullptr)},
                                    {"level", i.debounced}});
  }
}

void ControlCommands::on_scan_read(const std::string& scanner, const std::string& text) {
  broadcast(scanner_watchers_, json{{"event", "scan"},
                                    {"at", now_text()},
                                    {"scanner", scanner},
                                    {"text", controller::scan_preview(text)},
                                    {"length", text.size()}});
}

void ControlCommands::on_scanner_connection(const std::string& scanner, bool connected, const std::string& detail) {
  broadcast(scanner_watchers_, json{{"event", "scanner"},
                                    {"at", now_text()},
                                    {"scanner", scanner},
                                    {"connected", connected},
                                    {"detail", detail}});
}

void ControlCommands::broadcast(Peers& watchers, const json& event) {
  std::erase_if(watchers, [&](const std::shared_ptr<drivers::ControlPeer>& peer) { return !peer->send(event); });
}

std::string ControlCommands::now_text() const { return format_rfc3339_ms(clock_.wall_now()); }

}  // namespace passgate::daemon
