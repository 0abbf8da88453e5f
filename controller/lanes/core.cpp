#include "controller/lanes/core.hpp"

#include <spdlog/spdlog.h>

#include "common/log_value.hpp"

namespace passgate::controller {

LaneCore::LaneCore(const LaneConfig& c, LanePorts p)
    : config(c), ports(p), signals(c.number, p.io, p.timers), in_service_(!c.out_of_service) {}

void LaneCore::set_beams(bool outer, bool inner) {
  const bool was_clear = beams_clear();
  outer_ = outer;
  inner_ = inner;
  if (beams_clear()) {
    blocked_watch_.reset();
    clear(AlarmKind::beam_blocked, "the beams are clear again");
  } else if (was_clear) {
    blocked_watch_ = ports.timers.start(config.beam_blocked_alarm, [this] {
      raise(AlarmKind::beam_blocked,
            "a beam has been blocked for " + std::to_string(config.beam_blocked_alarm.count()) + " ms");
      signals.apply();
    });
  }
}

void LaneCore::raise(AlarmKind kind, const std::string& what) {
  if (alarms.active(kind)) return;
  spdlog::warn("event=alarm_raised lane={} alarm={} detail={}", config.number, to_string(kind), log_value(what));
  alarms.raise(kind);
  signals.alarm(kind);
  update_red();
}

void LaneCore::clear(AlarmKind kind, const std::string& what) {
  if (!alarms.active(kind)) return;
  spdlog::info("event=alarm_cleared lane={} alarm={} detail={}", config.number, to_string(kind), log_value(what));
  alarms.clear(kind);
  signals.alarm_cleared(kind);
  update_red();
}

void LaneCore::admit(const AdmissionResult& result) {
  signals.admit(result.people);
  ports.reports.scan_answered(config.number, result);
}

void LaneCore::deny(DenialReason reason, EntryWay way) {
  signals.deny(reason);
  ports.reports.scan_answered(config.number, AdmissionResult{false, reason, {}, 0, false, way});
}

void LaneCore::report(Direction direction, PassageKind kind, const std::optional<std::string>& session) {
  ports.reports.passage(config.number, direction, kind, session);
}

void LaneCore::wrong_way(Direction direction) {
  raise(AlarmKind::wrong_way, direction == Direction::out ? "someone left through the entry lane (wrong way)"
                                                          : "someone came in through the exit lane (wrong way)");
  report(direction, PassageKind::wrong_way);
}

void LaneCore::unattributed_entry(const std::optional<std::string>& session) {
  if (session) {
    raise(AlarmKind::tailgate, "tailgater behind session " + *session);
    report(Direction::in, PassageKind::tailgate, session);
  } else {
    raise(AlarmKind::forced, "entry through a closed barrier (forced)");
    report(Direction::in, PassageKind::forced);
  }
}

void LaneCore::hold_egress() {
  ++egress_holds_;
  signals.hold_egress(true);
  update_red();
}

void LaneCore::release_egress() {
  --egress_holds_;
  signals.hold_egress(egress_holds_ > 0);
  update_red();
}

void LaneCore::hold_unavailable(const std::string& text) {
  hold_egress();
  signals.show(text);
}

void LaneCore::update_red() { signals.steady_red(egress_holds_ > 0 || alarms.any_active()); }

}  // namespace passgate::controller
