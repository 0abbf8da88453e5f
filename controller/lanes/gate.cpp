#include "controller/lanes/gate.hpp"

#include <algorithm>
#include <utility>

#include <spdlog/spdlog.h>

#include "common/log_value.hpp"
#include "controller/lanes/entry_lane.hpp"
#include "controller/lanes/exit_lane.hpp"
#include "hw/line_names.hpp"
#include "hw/scan_text.hpp"

namespace passgate::controller {

Gate::Gate(const GateConfig& config, hw::IoBackend& io, TimerService& timers, Clock& clock, AdmissionPort& admission,
           LaneReports& reports)
    : io_(io),
      clock_(clock),
      admission_(admission),
      reports_(reports),
      inputs_(timers, config.io.sim_debounce, *this),
      scan_filter_(clock, hw::ScanFilter::Limits{config.io.scan_repeat_window, config.io.scan_max_length}) {
  const LanePorts ports{io, timers, clock, *this, *this};
  for (const auto& lc : config.lanes) {
    inputs_.add_lane(lc.number);
    if (lc.kind == LaneKind::entry) {
      auto lane = std::make_unique<EntryLane>(lc, ports);
      scanners_.emplace(hw::entry_scanner_name(lc.number), lane.get());
      entry_lanes_.emplace(lc.number, lane.get());
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
    spdlog::warn("event=input_rejected line={} detail={}", log_value(line), log_value(st.error().message));
    return;
  }
  const auto [it, fresh] = raw_inputs_.try_emplace(line, active);
  const bool changed = fresh || it->second != active;
  it->second = active;
  if (changed) observers_.each([&](GateObserver& o) { o.on_input_changed(line); });
  report_debounced_levels();
}

void Gate::on_scan(const std::string& scanner, const std::string& text) {
  read_at_ = clock_.steady_now();
  observers_.each([&](GateObserver& o) { o.on_scan_read(scanner, text); });
  const auto it = scanners_.find(scanner);
  if (it == scanners_.end()) {
    observers_.each([](GateObserver& o) { o.on_scan_dropped(std::nullopt, ScanDrop::unknown_scanner); });
    spdlog::warn("event=scan_ignored scanner={} reason=unknown_scanner", log_value(scanner));
    return;
  }
  std::string normalized = hw::normalize_scan_text(text);
  const hw::ScanCheck check = scan_filter_.check(scanner, normalized);
  if (check.verdict == hw::ScanVerdict::repeated) {
    observers_.each([&](GateObserver& o) { o.on_scan_dropped(it->second->number(), ScanDrop::repeated); });
  }
  switch (check.verdict) {
    case hw::ScanVerdict::accepted: return it->second->on_scan(std::move(normalized));
    case hw::ScanVerdict::repeated:
      return spdlog::debug("event=scan_repeated scanner={} reason={}", log_value(scanner), log_value(check.why));
    case hw::ScanVerdict::refused:
      // It cannot be a token: the shopper is told so (malformed), as for any other bad code.
      spdlog::warn("event=scan_refused scanner={} reason=malformed detail={}", log_value(scanner), log_value(check.why));
      return it->second->on_unreadable_scan();
  }
}

void Gate::on_scanner_connection(const std::string& scanner, bool connected, const std::string& detail) {
  observers_.each([&](GateObserver& o) { o.on_scanner_connection(scanner, connected, detail); });
  const auto it = scanners_.find(scanner);
  if (it == scanners_.end()) {
    spdlog::warn("event=scanner_unassigned scanner={} connected={} detail={}", log_value(scanner), connected,
                 log_value(detail));
    return;
  }
  it->second->on_scanner_connection(connected, detail);
}

void Gate::on_card_decision(int lane, const CardDecision& decision) {
  EntryLane* l = find_entry(lane, "card_decision");
  if (l == nullptr) return;
  if (decision.admitted) return l->on_card_admitted(decision.session_id);
  spdlog::info("event=card_denied lane={} session={} reason={}", lane, decision.session_id, to_string(decision.reason));
  l->on_card_denied(denial_reason(decision.reason));
}

void Gate::on_card_entry_changed(int lane, const CardEntryStatus& status) {
  if (EntryLane* l = find_entry(lane, "card_entry")) l->on_card_entry(status.enabled);
}

void Gate::on_passage(int lane, hw::PassageDirection direction) {
  if (Lane* l = find(lane)) l->on_passage(direction);
}

void Gate::on_beams(int lane, hw::Occupancy occupancy) {
  const bool outer = hw::outer_blocked(occupancy);
  const bool inner = hw::inner_blocked(occupancy);
  if (Lane* l = find(lane)) l->on_beams(outer, inner);
  observers_.each([&](GateObserver& o) { o.on_beams(lane, outer, inner); });
  report_debounced_levels();
}

void Gate::on_passage_sensor(int lane) {
  spdlog::debug("event=passage_sensor_pulse lane={}", lane);
  report_debounced_levels();
}

void Gate::on_fire_alarm(bool active) {
  if (active == alarm_) return;
  alarm_ = active;
  if (active) {
    // Every lane's releases first, and nothing else: not a light (it may sit on a slower
    // chip), not a log line (the journal may stall), not a state's exit actions (they may
    // write to the database: an unused grant cancelled). Egress on every lane, then entry.
    for (auto& [n, lane] : lanes_) {
      lane->latch_egress();
      if (alarm_ != active) return;  // see below
    }
    for (auto& [n, lane] : lanes_) {
      lane->latch_alarm();
      if (alarm_ != active) return;
    }
    spdlog::critical("event=fire_alarm_raised detail=\"FIRE ALARM: every lane free in both directions\"");
  } else {
    spdlog::warn("event=fire_alarm_cleared detail=\"each lane back in service once it is clear\"");
  }
  for (auto& [n, lane] : lanes_) {
    lane->on_alarm(active);
    // A lane's output write reported the alarm changed again: that nested call has told
    // every lane the newer level, which the rest of this loop must not undo. This lane was
    // told it in the middle of being told the older one (a write of its latch), which then
    // went on (a raise ends in its fire-alarm state): it is told the newer level again, and
    // again while a write of that telling reports yet another change, until the level it was
    // last told holds.
    if (alarm_ != active) {
      for (bool told = active; told != alarm_;) {
        told = alarm_;
        lane->on_alarm(told);
      }
      return;
    }
  }
  observers_.each([&](GateObserver& o) { o.on_fire_alarm(active); });
  report_debounced_levels();
}

Status Gate::set_in_service(int lane, bool in_service) {
  Lane* l = find(lane);
  if (l == nullptr) return make_error("unknown_lane", "lane " + std::to_string(lane) + " is not configured");
  l->set_in_service(in_service);
  return {};
}

std::vector<LaneStatus> Gate::lane_status() const {
  std::vector<LaneStatus> out;
  for (const auto& [n, lane] : lanes_) {
    const auto entry = entry_lanes_.find(n);
    const bool is_entry = entry != entry_lanes_.end();
    out.push_back(LaneStatus{
        .number = n,
        .kind = is_entry ? LaneKind::entry : LaneKind::exit,
        .state = lane->state_name(),
        .in_service = lane->in_service(),
        .scanner_connected = is_entry ? std::optional<bool>(entry->second->scanner_connected()) : std::nullopt,
        .scanner_detail = is_entry ? entry->second->scanner_detail() : std::string(),
        .alarms = lane->alarms(),
        .card_entry = is_entry && card_entry_source_ ? card_entry_source_(n) : std::nullopt,
    });
  }
  return out;
}

std::vector<std::string> Gate::input_line_names() const {
  std::vector<std::string> lines{std::string(hw::kFireAlarm)};
  for (const auto& [n, lane] : lanes_) {
    for (const hw::LineRole role : hw::kLineRoles) {
      if (hw::is_input(role)) lines.push_back(hw::line_name(n, role));
    }
  }
  return lines;
}

std::vector<InputLevel> Gate::inputs() const {
  const std::vector<std::string> wired = io_.input_lines();
  std::vector<InputLevel> out;
  for (const auto& line : input_line_names()) {
    if (line != hw::kFireAlarm && std::find(wired.begin(), wired.end(), line) == wired.end()) continue;
    const auto raw = raw_inputs_.find(line);
    out.push_back(InputLevel{
        .line = line,
        .raw = raw != raw_inputs_.end() ? std::optional<bool>(raw->second) : std::nullopt,
        .debounced = inputs_.level(line).value_or(false),
    });
  }
  return out;
}

std::optional<FireAlarmCause> Gate::fire_alarm_cause() const {
  if (!alarm_) return std::nullopt;
  if (auto held = io_.fire_alarm_held()) return FireAlarmCause{"link_lost", std::move(*held)};
  const auto raw = raw_inputs_.find(hw::kFireAlarm);
  if (raw == raw_inputs_.end()) {
    return FireAlarmCause{"not_reported", "the fire_alarm input has not been read yet: it counts as active until it reads clear"};
  }
  if (!raw->second) {
    return FireAlarmCause{"alarm_input", "the fire_alarm input reads clear again: the alarm ends once it stays clear"};
  }
  return FireAlarmCause{"alarm_input", "the fire_alarm input is active (the alarm panel, or an open alarm loop)"};
}

const Lane* Gate::lane(int number) const {
  const auto it = lanes_.find(number);
  return it == lanes_.end() ? nullptr : it->second.get();
}

Status Gate::refresh_outputs(int lane) {
  Lane* l = find(lane);
  if (l == nullptr) return make_error("unknown_lane", "lane " + std::to_string(lane) + " is not configured");
  l->refresh_outputs();
  return {};
}

void Gate::reconfigure(const GateConfig& config) {
  scan_filter_.set_repeat_window(config.io.scan_repeat_window);
  for (const LaneConfig& lc : config.lanes) {
    Lane* l = find(lc.number);
    const bool is_entry = entry_lanes_.contains(lc.number);
    if (l != nullptr && is_entry == (lc.kind == LaneKind::entry)) l->reconfigure(lc);
  }
}

void Gate::stop_admitting() {
  for (auto& [n, lane] : entry_lanes_) lane->close_for_shutdown();
}

int Gate::passages_in_progress() const {
  int n = 0;
  for (const auto& [number, lane] : lanes_) n += lane->passage_in_progress() ? 1 : 0;
  return n;
}

bool Gate::grant_open_for(const std::string& session_id) const {
  return std::any_of(lanes_.begin(), lanes_.end(),
                     [&](const auto& entry) { return entry.second->grant_open_for(session_id); });
}

void Gate::set_observer(GateObserver* observer) {
  observers_.set_live(observer);
  restart_level_reports();
}

void Gate::add_observer(GateObserver& observer) {
  observers_.add(observer);
  restart_level_reports();
}

void Gate::remove_observer(GateObserver& observer) { observers_.remove(observer); }

void Gate::restart_level_reports() {
  reported_levels_.clear();
  for (const auto& line : input_line_names()) reported_levels_.emplace(line, inputs_.level(line).value_or(false));
}

void Gate::report_debounced_levels() {
  if (observers_.empty()) return;
  // Every line the lanes know, wired or not (an unwired one never changes): no call into the
  // backend on the input path.
  for (const auto& line : input_line_names()) {
    const bool level = inputs_.level(line).value_or(false);
    bool& reported = reported_levels_[line];
    if (reported == level) continue;
    reported = level;
    observers_.each([&](GateObserver& o) { o.on_input_changed(line); });
  }
}

void Gate::request(int lane, int group_limit, std::string token, Done done) {
  const SteadyTime read_at = std::exchange(read_at_, std::nullopt).value_or(clock_.steady_now());
  admission_.request(lane, group_limit, std::move(token),
                     [this, lane, read_at, done = std::move(done)](AdmissionResult result) {
                       const std::string release = hw::line_name(lane, hw::LineRole::release_in);
                       const bool was_released = io_.output(release);
                       const bool offline = result.offline;
                       done(std::move(result));
                       if (was_released || !io_.output(release)) return;
                       const auto latency = clock_.steady_now() - read_at;
                       observers_.each([&](GateObserver& o) { o.on_release(lane, latency, offline); });
                     });
}

void Gate::open_card_session(int lane, std::string session_id, Done done) {
  admission_.open_card_session(lane, std::move(session_id), std::move(done));
}

void Gate::passage(int lane, Direction direction, PassageKind kind, const std::optional<std::string>& session_id) {
  reports_.passage(lane, direction, kind, session_id);
  observers_.each([&](GateObserver& o) { o.on_passage(lane, direction, kind); });
}

void Gate::grant_unused(const std::string& session_id) { reports_.grant_unused(session_id); }

void Gate::scan_answered(int lane, const AdmissionResult& answer) {
  observers_.each([&](GateObserver& o) { o.on_scan_answered(lane, answer); });
}

Lane* Gate::find(int number) {
  const auto it = lanes_.find(number);
  return it == lanes_.end() ? nullptr : it->second.get();
}

EntryLane* Gate::find_entry(int number, const char* what) {
  const auto it = entry_lanes_.find(number);
  if (it != entry_lanes_.end()) return it->second;
  spdlog::error("event=card_entry_unrouted lane={} what={} detail=\"not an entry lane of this gate\"", number, what);
  return nullptr;
}

}  // namespace passgate::controller
