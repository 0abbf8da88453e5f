// LaneCore: what the entry and the exit lane machines share: the lane's config and ports,
// its signals and alarm counters, its debounced beams with the blocked-beam watch, the
// in-service flag, and raising and clearing alarms (each logged, counted and signalled;
// the passage alarms are also reported to the tracking engine with their passage kind).
// Owned by a lane's state machine; single-threaded, on the event loop.
//
// Outputs: states change what they want through `signals`; the machine calls
// signals.apply() after every event it handles. Calls made outside an event (the
// blocked-beam timer, set_beams before an event) apply themselves or are applied by the
// event that follows.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "controller/config/config.hpp"
#include "controller/lanes/alarms.hpp"
#include "controller/lanes/ports.hpp"
#include "controller/lanes/signals.hpp"

namespace passgate::controller {

class LaneCore {
 public:
  LaneCore(const LaneConfig& config, LanePorts ports);
  LaneCore(const LaneCore&) = delete;
  LaneCore& operator=(const LaneCore&) = delete;

  [[nodiscard]] int number() const { return config.number; }

  // The lane's debounced beams. A beam blocked for config.beam_blocked_alarm raises
  // beam_blocked; clear beams clear it. The caller applies the signals.
  void set_beams(bool outer, bool inner);
  [[nodiscard]] bool beams_clear() const { return !outer_ && !inner_; }
  [[nodiscard]] bool inner_blocked() const { return inner_; }

  // Logs `what`, counts and signals the alarm. A lasting kind that is active already does
  // nothing.
  void raise(AlarmKind kind, const std::string& what);
  // A lasting alarm is over (nothing if it was not active).
  void clear(AlarmKind kind, const std::string& what);

  // A scan's or a card tap's answer: shown at the lane (LaneSignals::admit or deny) and told
  // to the gate (LaneReports::scan_answered). Every scan an entry lane takes, and every card
  // decision it is told, ends in exactly one of them.
  void admit(const AdmissionResult& result);
  void deny(DenialReason reason, EntryWay way = EntryWay::app);

  // Passages reported to the tracking engine; the unusual ones raise their alarm.
  void report(Direction direction, PassageKind kind, const std::optional<std::string>& session = std::nullopt);
  void wrong_way(Direction direction);
  // An entering passage nobody granted: a tailgater of `session` if one is given, else forced.
  void unattributed_entry(const std::optional<std::string>& session);

  // Egress kept free: release_out held on and red steady while at least one hold lasts.
  // Counted: out of service and fault (held by a state from its entry to its exit) and a
  // lost scanner (held by the entry lane until it is back) each take and drop their own.
  void hold_egress();
  void release_egress();
  // Out of service or fault: hold_egress() and `text` on the display (release_egress() ends it).
  void hold_unavailable(const std::string& text);

  // The operator's wish; the machine changes state.
  [[nodiscard]] bool in_service() const { return in_service_; }
  void set_in_service(bool in_service) { in_service_ = in_service; }

  // The fire-alarm level the lane was told last (LaneAdapter::on_alarm sets it before the
  // event, even when the event is queued behind the one the lane is handling): the latest
  // level, which a queued EvAlarmCleared may be older than.
  [[nodiscard]] bool alarm_told() const { return alarm_told_; }
  void set_alarm_told(bool active) { alarm_told_ = active; }

  // The lane's settings; a reload changes them (Lane::reconfigure), never number or kind.
  LaneConfig config;
  const LanePorts ports;
  LaneSignals signals;
  LaneAlarms alarms;

 private:
  void update_red();

  bool outer_ = false;
  bool inner_ = false;
  bool in_service_;
  bool alarm_told_ = false;
  int egress_holds_ = 0;
  std::unique_ptr<Timer> blocked_watch_;
};

}  // namespace passgate::controller
