// Gate: the controller above the lanes. It is the backend's IoListener: raw inputs go
// through LaneInputs (debouncing, passage detection), scans are normalized, filtered
// (hw/scan_filter.hpp: repeats, over-long or non-printable reads) and routed to the lane
// that owns the scanner, a lost scanner is a scanner fault on its lane, and the fire alarm
// is handled here, above the lanes, so that every lane is freed in the same loop turn and no
// lane state can ignore it. The fire alarm counts as active from start-up until the backend
// reports it clear (unknown = alarm). It also answers the control socket: lanes in or out of
// service, lane status, input levels. An entry lane's card entry (controller/card_entry/
// card_lanes.hpp) tells it its decisions and whether it is on; the gate passes them to the
// lane and shows them in the lane status. Single-threaded, on the event loop.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "common/result.hpp"
#include "controller/card_entry/decision.hpp"
#include "controller/config/config.hpp"
#include "controller/lanes/gate_observers.hpp"
#include "controller/lanes/alarms.hpp"
#include "controller/lanes/ports.hpp"
#include "hw/io_backend.hpp"
#include "hw/lane_inputs.hpp"
#include "hw/scan_filter.hpp"

namespace passgate::controller {

class EntryLane;

// One lane as `passgatectl lane` / status shows it.
struct LaneStatus {
  int number = 0;
  LaneKind kind = LaneKind::entry;
  std::string state;                      // the lane machine's state name ("idle", "fault", ...)
  bool in_service = true;                 // the operator's setting (the fire alarm overrides it)
  std::optional<bool> scanner_connected;  // entry lanes: their scanner; empty for exit lanes
  std::string scanner_detail;             // its last connection report ("no rig connected"), if any
  LaneAlarms alarms;                      // counters per kind and the active alarms
  std::optional<CardEntryStatus> card_entry;  // entry lanes with a card reader: on, or off and why
};

// One input line as `passgatectl hw inputs` shows it.
struct InputLevel {
  std::string line;          // "fire_alarm", "lane1.beam_outer", ...
  // The level the backend last reported; empty (unknown) before its first report of the
  // line. The lanes meanwhile act on inactive (the IoBackend contract), on fire_alarm active.
  std::optional<bool> raw;
  bool debounced = false;    // what the lanes act on (fire_alarm starts active)
};

// Why the fire alarm is active, for people (status, lanes, hw views) and monitoring.
struct FireAlarmCause {
  // "link_lost": the backend holds it active (no rig connected, GPIO supervision lost);
  // "not_reported": the alarm loop has not been read yet; "alarm_input": the loop reads active.
  std::string code;
  std::string text;
};

class Gate final : public hw::IoListener, public hw::LaneInputsListener, private AdmissionPort, private LaneReports {
 public:
  Gate(const GateConfig& config, hw::IoBackend& io, TimerService& timers, Clock& clock, AdmissionPort& admission,
       LaneReports& reports);
  ~Gate() override;
  Gate(const Gate&) = delete;
  Gate& operator=(const Gate&) = delete;

  // hw::IoListener
  void on_input(const std::string& line, bool active) override;
  void on_scan(const std::string& scanner, const std::string& text) override;
  void on_scanner_connection(const std::string& scanner, bool connected, const std::string& detail) override;

  // hw::LaneInputsListener
  void on_passage(int lane, hw::PassageDirection direction) override;
  void on_beams(int lane, hw::Occupancy occupancy) override;
  void on_passage_sensor(int lane) override;
  void on_fire_alarm(bool active) override;

  // Card entry: a decision of `lane`'s card entry (admitted: EntryLane::on_card_admitted;
  // denied: on_card_denied with its reason), and its turning on or off (on_card_entry).
  // An unknown lane or an exit lane: logged and dropped.
  void on_card_decision(int lane, const CardDecision& decision);
  void on_card_entry_changed(int lane, const CardEntryStatus& status);
  // Where lane_status() reads each lane's card entry (empty: the lane has none). Unset: none.
  using CardEntrySource = std::function<std::optional<CardEntryStatus>(int lane)>;
  void set_card_entry_source(CardEntrySource source) { card_entry_source_ = std::move(source); }

  // Takes a lane out of service or back (Lane::set_in_service). Error "unknown_lane" for
  // a lane that is not configured.
  [[nodiscard]] Status set_in_service(int lane, bool in_service);
  // Every lane, by number.
  [[nodiscard]] std::vector<LaneStatus> lane_status() const;
  // fire_alarm, then every lane's input lines (beam_outer, beam_inner, passage), by lane:
  // those the backend has (IoBackend::input_lines(); an unwired passage sensor is not listed).
  [[nodiscard]] std::vector<InputLevel> inputs() const;
  // Who is told about input levels, raw scans and scanner connections as they happen (the
  // control socket's live views); null: nobody. A debounced level is reported when the
  // lanes see it change; only a passage sensor's debounced fall (which no lane reacts to)
  // waits for the next input event.
  void set_observer(GateObserver* observer);
  // Observers told everything GateObserver names (metrics), besides the live view, until
  // removed; one must be removed before it is destroyed if it does not outlive the gate.
  void add_observer(GateObserver& observer);
  void remove_observer(GateObserver& observer);

  [[nodiscard]] bool fire_alarm() const { return alarm_; }
  // Why, while the fire alarm is active; empty otherwise.
  [[nodiscard]] std::optional<FireAlarmCause> fire_alarm_cause() const;
  [[nodiscard]] const Lane* lane(int number) const;
  // The I/O backend still has release writes queued for later loop turns
  // (hw::IoBackend::releases_pending): what may block the loop waits for them.
  [[nodiscard]] bool releases_pending() const { return io_.releases_pending(); }
  // Drives every output of a lane back to what its state (and the fire alarm) wants
  // (Lane::refresh_outputs), e.g. when a hw pulse ends. Error "unknown_lane" for a lane
  // that is not configured.
  [[nodiscard]] Status refresh_outputs(int lane);

  // A config reload: each lane's settings (Lane::reconfigure; lanes matched by number and
  // kind, the others left alone: adding, removing or changing a lane's kind needs a
  // restart) and the scan filter's repeat window (io.scan_max_length needs a restart: the
  // scanner drivers keep the limit they started with, and so does the filter).
  void reconfigure(const GateConfig& config);
  // The gate is stopping: no entry lane admits anyone new (EntryLane::close_for_shutdown);
  // passages under way go on.
  void stop_admitting();
  // How many lanes have a passage under way (Lane::passage_in_progress).
  [[nodiscard]] int passages_in_progress() const;
  // Some lane holds a grant for `session_id` (Lane::grant_open_for): it may be walked through.
  [[nodiscard]] bool grant_open_for(const std::string& session_id) const;

 private:
  // AdmissionPort and LaneReports, as the lanes see them: passed on to `admission_` and
  // `reports_`; the observers are told.
  void request(int lane, int group_limit, std::string token, Done done) override;
  void open_card_session(int lane, std::string session_id, Done done) override;
  void passage(int lane, Direction direction, PassageKind kind, const std::optional<std::string>& session_id) override;
  void grant_unused(const std::string& session_id) override;
  void scan_answered(int lane, const AdmissionResult& answer) override;

  [[nodiscard]] Lane* find(int number);
  [[nodiscard]] EntryLane* find_entry(int number, const char* what);
  // fire_alarm, then every lane's input lines by lane, wired or not.
  [[nodiscard]] std::vector<std::string> input_line_names() const;
  // Tells the observers about every input line whose debounced level differs from the last
  // one they were told.
  void report_debounced_levels();
  // From now on the debounced levels are reported as changes from their current ones.
  void restart_level_reports();

  hw::IoBackend& io_;
  Clock& clock_;
  AdmissionPort& admission_;
  LaneReports& reports_;
  // Like the references above, before the lanes: a lane being destroyed may still report.
  GateObservers observers_;
  // When the scanner read now being handled arrived at the gate: the admission request it
  // leads to (in the same call, if the lane asks for one) is timed from then.
  std::optional<SteadyTime> read_at_;
  hw::LaneInputs inputs_;
  hw::ScanFilter scan_filter_;
  std::map<int, std::unique_ptr<Lane>> lanes_;
  std::map<int, EntryLane*> entry_lanes_;
  std::map<std::string, EntryLane*, std::less<>> scanners_;
  std::map<std::string, bool, std::less<>> raw_inputs_;
  std::map<std::string, bool, std::less<>> reported_levels_;
  bool alarm_ = true;
  CardEntrySource card_entry_source_;
};

}  // namespace passgate::controller
