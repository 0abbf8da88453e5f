#include "tests/lanes/lane_history_model.hpp"

#include <algorithm>
#include <charconv>
#include <string_view>
#include <utility>

#include "controller/lanes/entry_lane.hpp"

namespace passgate::test::lane_history {

using controller::Direction;
using controller::PassageKind;

namespace {

// "lane3.release_in" → 3; empty for any other line.
std::optional<int> release_lane(std::string_view line) {
  constexpr std::string_view kLane = "lane";
  if (!line.starts_with(kLane)) return std::nullopt;
  const auto dot = line.find('.');
  if (dot == std::string_view::npos || !line.substr(dot + 1).starts_with("release_")) return std::nullopt;
  int n = 0;
  const auto digits = line.substr(kLane.size(), dot - kLane.size());
  if (std::from_chars(digits.data(), digits.data() + digits.size(), n).ec != std::errc{}) return std::nullopt;
  return n;
}

std::string where(int lane, const std::optional<std::string>& session) {
  return "lane " + std::to_string(lane) + (session ? " session " + *session : std::string(" no session"));
}

}  // namespace

LaneHistoryModel::LaneHistoryModel(const std::vector<controller::LaneConfig>& lanes, hw::FakeIoBackend& io,
                                   const Clock& clock)
    : io_(io), clock_(clock) {
  for (const auto& lc : lanes) {
    ModelLane l;
    l.config = lc;
    l.in_service = !lc.out_of_service;
    lanes_.emplace(lc.number, l);
  }
  io_.on_write([this] { on_write(); });
}

LaneHistoryModel::~LaneHistoryModel() { io_.on_write(nullptr); }

void LaneHistoryModel::passage(int lane, Direction direction, PassageKind kind,
                               const std::optional<std::string>& session_id) {
  const auto it = lanes_.find(lane);
  if (it == lanes_.end()) return violation("a passage on lane " + std::to_string(lane) + ", which is not configured");
  ModelLane& l = it->second;
  const std::string at = where(lane, session_id) + " kind " + std::string(controller::to_string(kind));
  // An alarm raised inside one of this reaction's writes takes over once the reaction is done
  // (the lane machine queues it, never nests it: issue 14); what the reaction reports is its own.
  const bool evacuating = (alarm_ && !alarm_mid_reaction_) || l.clearing;
  if (direction == Direction::out) {
    // Egress: leaving is an exit on an exit lane always, and on any lane during the alarm.
    if (kind != PassageKind::exit && (!l.entry() || evacuating || kind != PassageKind::wrong_way)) {
      violation("a person leaving was reported as something else than an exit: " + at);
    }
    if (session_id) violation("a leaving passage charged to a session: " + at);
    ++(kind == PassageKind::exit ? counts_.exits : counts_.wrong_way);
    return;
  }
  if (!l.entry()) {
    if (kind != PassageKind::wrong_way || session_id) violation("an entering passage on an exit lane: " + at);
    ++counts_.wrong_way;
    return;
  }
  switch (kind) {
    case PassageKind::admitted: {
      const auto s = session_id ? sessions_.find(*session_id) : sessions_.end();
      if (s == sessions_.end()) return violation("an admitted passage for no session the admission admitted: " + at);
      ModelSession& m = s->second;
      if (m.lane != lane) violation("a passage credited to a grant of lane " + std::to_string(m.lane) + ": " + at);
      if (!m.shown) violation("a passage credited to a session its lane never showed admitted: " + at);
      if (m.cancelled) violation("a passage credited to a cancelled session: " + at);
      if (m.over) {
        violation("a passage credited to a grant that was over (used up, timed out with the lane clear, or the "
                  "lane cleared after the alarm or out of service): " + at);
      }
      if (m.credited >= m.people) violation("more passages credited than the group: " + at);
      ++m.credited;
      if (m.credited == m.people) over(s->first);  // used up: whoever follows is its tailgater at most
      // A place used restarts the grant time-out (if the grant is still admitting).
      l.deadline = std::max(l.deadline, clock_.steady_now() + l.config.grant_timeout);
      ++counts_.credited;
      return;
    }
    case PassageKind::tailgate: {
      const auto s = session_id ? sessions_.find(*session_id) : sessions_.end();
      if (s == sessions_.end()) return violation("a tailgater charged to no admitted session: " + at);
      const ModelSession& m = s->second;
      if (m.lane != lane) violation("a tailgater charged to a grant of another lane: " + at);
      if (m.credited == 0 || m.cancelled) violation("a tailgater charged to a grant nobody used: " + at);
      if (evacuating) violation("a tailgate alarm during the fire alarm: " + at);
      if (m.over && clock_.steady_now() - m.over_at > controller::EntryLane::kTailgateWindow) {
        violation("a tailgater charged to a grant over for longer than the tailgate window: " + at);
      }
      ++counts_.tailgate;
      return;
    }
    case PassageKind::forced:
      if (session_id) violation("a forced passage charged to a session: " + at);
      ++counts_.forced;
      return;
    case PassageKind::exit:
    case PassageKind::wrong_way: return violation("an entering passage reported as leaving: " + at);
  }
}

void LaneHistoryModel::grant_unused(const std::string& session_id) {
  const auto s = sessions_.find(session_id);
  if (s == sessions_.end()) return violation("cancelled session " + session_id + ", which the admission never admitted");
  ModelSession& m = s->second;
  if (m.cancelled) violation("session " + session_id + " cancelled twice");
  if (m.credited > 0) violation("session " + session_id + " cancelled after a passage was credited to it");
  if (alarm_ && !gate_going_ && !m.over && m.lingers_until && clock_.steady_now() < *m.lingers_until) {
    violation("session " + session_id + " cancelled during the fire alarm before lingering a grant time-out (its "
              "shopper, shown green, may still walk in)");
  }
  m.cancelled = true;
  ++counts_.cancelled;
}

void LaneHistoryModel::on_scan_answered(int lane, const controller::AdmissionResult& answer) {
  if (!answer.admitted) return;
  const auto s = sessions_.find(answer.session_id);
  if (s == sessions_.end()) return violation("lane " + std::to_string(lane) + " showed an unknown session admitted");
  ModelSession& m = s->second;
  const std::string at = where(lane, answer.session_id);
  if (m.lane != lane) violation("a session shown admitted on another lane: " + at);
  if (m.shown || m.cancelled) violation("a session shown admitted twice, or after it was cancelled: " + at);
  if (answer.people != m.limit) violation("a grant for another group than the admission's: " + at);
  const ModelLane& l = lanes_.at(lane);
  // A raise and a clear inside this reaction's writes both wait for it (the clear may make the
  // lane look clearing already).
  if (((alarm_ || l.clearing) && !alarm_mid_reaction_) || !l.in_service) {
    violation("a grant opened during the alarm or out of service: " + at);
  }
  m.shown = true;
  m.people = answer.people;
  m.alarm_seen = alarm_;  // shown inside a reaction the alarm overtook: it ends the grant once that is done
  // Admitting (again) restarts the grant time-out with the lane's setting now.
  ModelLane& shown_on = lanes_.at(lane);
  shown_on.deadline = std::max(shown_on.deadline, clock_.steady_now() + shown_on.config.grant_timeout);
}

void LaneHistoryModel::alarm(bool active) {
  const bool overtaken = !active && giving_ > 0 && alarm_;  // cleared before its raise was done
  alarm_ = active;
  if (active && in_write_ > 0) alarm_mid_reaction_ = true;
  ++giving_;
  if (active) {
    // The grants in force end as the lanes take the raise; on a clear lane (not one whose
    // beams are changing now: a grant that ended before with someone in it may end as it
    // clears) each lingers a grant time-out from then, as its lane's setting is now. A later
    // raise ends nothing more (or, if this one never reached the lane, later: the bound holds).
    for (auto& [id, s] : sessions_) {
      if (!s.shown || s.over || s.cancelled || s.alarm_seen) continue;
      s.alarm_seen = true;
      const ModelLane& l = lanes_.at(s.lane);
      if (!l.clear() || changing_ == s.lane) continue;
      s.lingers_until = clock_.steady_now() + std::min(l.config.grant_timeout,
                                                        l.reload_grant_timeout.value_or(l.config.grant_timeout));
    }
  }
  for (auto& [n, l] : lanes_) {
    if (overtaken) {
      l.clearing = false;
      l.unsure = !l.clear();
      continue;
    }
    l.clearing = !active && !l.clear();
    // Every grant of the lane ended with the alarm (it lingered at most): none may be used
    // once the lane is clear after it (alarm_given).
    if (!active && l.entry()) {
      for (const auto& [id, s] : sessions_) {
        if (s.lane == n && s.shown && !s.over) l.over_when_clear.insert(id);
      }
    }
  }
}

void LaneHistoryModel::alarm_given() {
  --giving_;
  if (in_write_ > 0) {
    // A lane handling an event has it queued, and a raise in a later write may overtake it.
    if (!alarm_) clear_pending_ = true;
    return;
  }
  clear_pending_ = false;
  for (auto& [n, l] : lanes_) end_if_clear(l);
}

void LaneHistoryModel::settle_clear() {
  if (!std::exchange(clear_pending_, false)) return;
  for (auto& [n, l] : lanes_) end_if_clear(l);
}

void LaneHistoryModel::beams_changing(int lane, bool outer, bool inner) {
  settle_clear();
  ModelLane& l = lanes_.at(lane);
  if (l.clear()) expire_if_past(l, lane);  // clear until this very moment
  l.outer = outer;
  l.inner = inner;
  changing_ = lane;
}

void LaneHistoryModel::beams_changed(int lane) {
  changing_.reset();
  settle_clear();
  ModelLane& l = lanes_.at(lane);
  if (!l.clear()) return;
  l.clearing = false;
  l.unsure = false;
  end_if_clear(l);
  expire_if_past(l, lane);
}

void LaneHistoryModel::set_in_service(int lane, bool in_service) {
  ModelLane& l = lanes_.at(lane);
  if (l.in_service == in_service) return;
  l.in_service = in_service;
  // Out of service ends the lane's grants (they linger while someone is in it). During the
  // alarm they ended already, and the alarm's end closes them.
  if (!in_service && l.entry() && !alarm_) end_when_clear(l, lane);
}

void LaneHistoryModel::scanner(int lane, bool connected) { lanes_.at(lane).scanner_lost = !connected; }

void LaneHistoryModel::reloading(const std::vector<controller::LaneConfig>& lanes) {
  for (const auto& lc : lanes) lanes_.at(lc.number).reload_grant_timeout = lc.grant_timeout;
}

void LaneHistoryModel::reload(const std::vector<controller::LaneConfig>& lanes) {
  for (const auto& lc : lanes) {
    ModelLane& l = lanes_.at(lc.number);
    l.reload_grant_timeout.reset();
    if (lc.out_of_service != l.config.out_of_service) set_in_service(lc.number, !lc.out_of_service);
    l.config = lc;
  }
}

void LaneHistoryModel::admitted(int lane, const std::string& session, int limit) {
  if (!sessions_.emplace(session, ModelSession{.lane = lane, .limit = limit}).second) {
    violation("the history admitted session " + session + " twice");
  }
}

void LaneHistoryModel::answer_delivered(const std::string& session) {
  const ModelSession& m = sessions_.at(session);
  if (!m.shown && !m.cancelled) violation("an admission its lane neither showed nor cancelled: session " + session);
}

void LaneHistoryModel::restarted(const std::vector<controller::LaneConfig>& lanes) {
  for (const auto& [id, s] : sessions_) over(id);
  alarm_ = true;  // a new gate: unknown = alarm
  clear_pending_ = false;
  gate_going_ = false;
  for (const auto& lc : lanes) {
    ModelLane& l = lanes_.at(lc.number);
    l.config = lc;
    l.in_service = !lc.out_of_service;
    l.clearing = false;
    l.scanner_lost = false;
    l.over_when_clear.clear();
  }
}

void LaneHistoryModel::tick() {
  alarm_mid_reaction_ = false;
  settle_clear();
  for (auto& [n, l] : lanes_) {
    if (l.clear()) expire_if_past(l, n);
  }
}

void LaneHistoryModel::expire_if_past(ModelLane& lane, int number) {
  // Strictly past: a time-out due at this very instant may not have fired yet.
  if (alarm_ || lane.clearing || clock_.steady_now() <= lane.deadline) return;
  for (const auto& [id, s] : sessions_) {
    if (s.lane == number && s.shown) over(id);
  }
}

void LaneHistoryModel::over(const std::string& id) {
  ModelSession& session = sessions_.at(id);
  if (session.over) return;
  session.over = true;
  session.over_at = clock_.steady_now();
  if (session.shown) newly_over_.push_back(id);
}

void LaneHistoryModel::check_outputs() {
  for (const auto& [n, l] : lanes_) {
    const std::string lane = "lane" + std::to_string(n);
    const bool in = io_.output(lane + ".release_in");
    const bool out = io_.output(lane + ".release_out");
    if ((alarm_ || l.clearing) && !(in && out)) {
      violation(lane + " not free both ways " + (alarm_ ? "during the fire alarm" : "while occupied after it"));
    }
    if (alarm_ || l.clearing || l.unsure) continue;
    if (!l.in_service && (in || !out)) violation(lane + " out of service without egress free and entry closed");
    if (l.entry() && l.scanner_lost && !out) violation(lane + " lost its scanner without egress free");
    if (!l.entry() && l.inner && !out) violation(lane + " (exit) refuses a person at its inner beam");
    if (!l.entry() && in) violation(lane + " (exit) released inwards out of the fire alarm");
    // Who pays: a clear entry lane with no grant in force keeps its barrier closed.
    const bool granting = std::any_of(sessions_.begin(), sessions_.end(), [n = n](const auto& entry) {
      const ModelSession& s = entry.second;
      return s.lane == n && s.shown && !s.over && !s.cancelled;
    });
    if (l.entry() && l.clear() && !granting && in) violation(lane + " released inwards with no grant in force");
  }
}

void LaneHistoryModel::end_when_clear(ModelLane& lane, int number) {
  for (const auto& [id, s] : sessions_) {
    if (s.lane == number && s.shown && !s.over) lane.over_when_clear.insert(id);
  }
  end_if_clear(lane);
}

void LaneHistoryModel::end_if_clear(ModelLane& lane) {
  if (alarm_ || lane.clearing || !lane.clear()) return;
  for (const auto& id : lane.over_when_clear) over(id);
  lane.over_when_clear.clear();
}

void LaneHistoryModel::on_write() {
  const auto& changes = io_.output_changes();
  for (; writes_seen_ < changes.size(); ++writes_seen_) {
    const auto& c = changes[writes_seen_];
    if (c.active) continue;
    const auto lane = release_lane(c.line);
    if (!lane) continue;
    const auto it = lanes_.find(*lane);
    if (it == lanes_.end()) continue;
    const ModelLane& l = it->second;
    if (alarm_) violation(c.line + " written off during the fire alarm");
    // A lane still occupied after the alarm stays free until it is clear (the write that
    // frees it comes inside the beam change that clears it).
    if (l.clearing && !(changing_ == *lane && l.clear())) violation(c.line + " written off while the lane is clearing");
  }
  if (next_write_) {
    ++in_write_;
    std::exchange(next_write_, nullptr)();
    --in_write_;
  }
}

}  // namespace passgate::test::lane_history
