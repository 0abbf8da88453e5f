#include "controller/metrics/gate.hpp"

#include <array>

namespace passgate::controller {

namespace {

std::string_view to_string(ScanDrop why) {
  switch (why) {
    case ScanDrop::repeated: return "repeated";
    case ScanDrop::unknown_scanner: return "unknown_scanner";
  }
  return "unknown";
}

std::string_view mode(bool offline) { return offline ? "offline" : "online"; }

double flag(bool on) { return on ? 1 : 0; }

}  // namespace

GateMetrics::GateMetrics(metrics::Registry& registry, Gate& gate)
    : gate_(gate),
      scans_(registry.counter("passgate_scans_total",
                              "Scanner reads by lane and outcome: admitted, denied (with the denial reason), "
                              "repeated or refused by the gate's read filter, or unknown_scanner (no lane).",
                              {"lane", "outcome", "reason"})),
      admissions_(registry.counter("passgate_admissions_total",
                                   "Admitted scans by lane and mode: online (the tracking engine opened the "
                                   "session) or offline (admitted under the offline policy).",
                                   {"lane", "mode"})),
      card_decisions_(registry.counter("passgate_card_decisions_total",
                                       "Card taps decided at an entry lane's reader, by lane and outcome: admitted "
                                       "(the session opened, the barrier released), or denied with the denial reason.",
                                       {"lane", "outcome", "reason"})),
      passages_(registry.counter("passgate_passages_total",
                                 "Completed passages reported to the tracking engine, by lane and kind.",
                                 {"lane", "kind"})),
      latency_(registry.histogram(
          "passgate_scan_to_release_seconds",
          "Seconds from a scanner read arriving at the gate to the lane's release_in driven on, for admissions "
          "that released a barrier, by mode (online or offline).",
          {"mode"}, std::vector<double>(kLatencyBuckets.begin(), kLatencyBuckets.end()))),
      fire_alarm_(registry.gauge("passgate_fire_alarm_active",
                                 "1 while the fire alarm is active (or its loop not yet known to be clear): every "
                                 "lane free in both directions.")),
      fire_alarm_cause_(registry.gauge("passgate_fire_alarm_cause",
                                       "1 for the fire alarm's cause while it is active: link_lost (the I/O "
                                       "backend lost its link to the alarm loop: no rig connected, GPIO supervision "
                                       "lost), not_reported (the loop not read yet) or alarm_input (the loop reads "
                                       "active).",
                                       {"cause"})),
      in_service_(registry.gauge("passgate_lane_in_service",
                                 "1 if the operator has the lane in service, 0 if out of service.", {"lane"})),
      fault_(registry.gauge("passgate_lane_fault",
                            "1 while the lane is in its fault state (a barrier that could not close).", {"lane"})),
      state_(registry.gauge("passgate_lane_state", "The lane's current state (value 1), e.g. idle, admitting, fault.",
                            {"lane", "state"})),
      scanner_(registry.gauge("passgate_lane_scanner_connected", "1 while the entry lane's scanner is connected.",
                              {"lane"})),
      card_entry_(registry.gauge("passgate_card_entry_enabled",
                                 "Entry lanes with a card reader: 1 while card entry is on, 0 while it is off.",
                                 {"lane"})),
      card_entry_off_(registry.gauge("passgate_card_entry_off_reason",
                                     "1 for why a lane's card entry is off (starting, reader_offline, "
                                     "terminal_unreachable, terminal_refused, database, fire_alarm, stopping); absent while on.",
                                     {"lane", "reason"})),
      alarms_(registry.counter("passgate_alarms_total", "Alarms raised, by lane and kind.", {"lane", "kind"})),
      alarm_active_(registry.gauge("passgate_alarm_active",
                                   "1 while a lasting alarm (beam_blocked, barrier_obstructed, scanner_fault) is "
                                   "active, by lane and kind.",
                                   {"lane", "kind"})) {
  for (const LaneStatus& lane : gate_.lane_status()) {
    const std::string n = std::to_string(lane.number);
    for (const PassageKind kind : kPassageKinds) passages_.init({n, std::string(to_string(kind))});
    if (lane.kind != LaneKind::entry) continue;
    for (const std::string_view outcome : {"admitted", "repeated"}) scans_.init({n, std::string(outcome), ""});
    for (const bool offline : {false, true}) admissions_.init({n, std::string(mode(offline))});
    if (lane.card_entry) card_decisions_.init({n, "admitted", ""});
  }
  for (const bool offline : {false, true}) latency_.init({std::string(mode(offline))});
  registry.add_collector([this] { collect(); });
  gate_.add_observer(*this);
}

GateMetrics::~GateMetrics() { gate_.remove_observer(*this); }

void GateMetrics::on_scan_dropped(std::optional<int> lane, ScanDrop why) {
  scans_.inc({lane ? std::to_string(*lane) : std::string(), std::string(to_string(why)), ""});
}

void GateMetrics::on_scan_answered(int lane, const AdmissionResult& answer) {
  const std::string n = std::to_string(lane);
  if (answer.way == EntryWay::card) {
    if (answer.admitted) {
      card_decisions_.inc({n, "admitted", ""});
    } else {
      card_decisions_.inc({n, "denied", std::string(to_string(answer.reason))});
    }
    return;
  }
  if (answer.admitted) {
    scans_.inc({n, "admitted", ""});
    admissions_.inc({n, std::string(mode(answer.offline))});
  } else {
    scans_.inc({n, "denied", std::string(to_string(answer.reason))});
  }
}

void GateMetrics::on_release(int /*lane*/, std::chrono::nanoseconds latency, bool offline) {
  latency_.observe({std::string(mode(offline))}, std::chrono::duration<double>(latency).count());
}

void GateMetrics::on_passage(int lane, Direction /*direction*/, PassageKind kind) {
  passages_.inc({std::to_string(lane), std::string(to_string(kind))});
}

void GateMetrics::collect() {
  fire_alarm_.set({}, flag(gate_.fire_alarm()));
  fire_alarm_cause_.clear();
  if (const auto cause = gate_.fire_alarm_cause()) fire_alarm_cause_.set({cause->code}, 1);
  state_.clear();
  card_entry_off_.clear();
  for (const LaneStatus& lane : gate_.lane_status()) {
    const std::string n = std::to_string(lane.number);
    in_service_.set({n}, flag(lane.in_service));
    fault_.set({n}, flag(lane.state == "fault"));
    state_.set({n, lane.state}, 1);
    if (lane.scanner_connected) scanner_.set({n}, flag(*lane.scanner_connected));
    if (lane.card_entry) {
      card_entry_.set({n}, flag(lane.card_entry->enabled));
      if (!lane.card_entry->enabled) card_entry_off_.set({n, lane.card_entry->reason}, 1);
    }
    for (const AlarmKind kind : kAlarmKinds) {
      const std::string k(to_string(kind));
      alarms_.set({n, k}, static_cast<double>(lane.alarms.count(kind)));
      if (is_lasting(kind)) alarm_active_.set({n, k}, flag(lane.alarms.active(kind)));
    }
  }
}

}  // namespace passgate::controller
