// LaneHistoryModel: the reference model the generated lane histories (lane_history_test.cpp)
// are checked against, written from the lanes' contract and not from their code. It is the
// gate's LaneReports and one of its observers, so it sees every passage, cancellation and
// answer the moment a lane reports it, and the history tells it what it did to the gate (alarm, beams, service,
// admissions). It checks:
// - money: a session the admission admitted is credited (admitted passages, at most its
//   group, on its own entry lane, inwards, only while the model does not know its grant over)
//   or cancelled unused, never both and never twice; a late admission the lane refused is
//   cancelled at once; a tailgater is charged only to a used, uncancelled grant of its lane,
//   within the tailgate window of its end. The model knows a grant over once its lane has
//   been clear, out of the alarm, past the grant time-out after the lane's last admission or
//   place used, and once the lane is clear after the alarm or after going out of service;
//   a grant in force on a clear lane when the alarm rises lingers (its shopper, shown green,
//   may still walk in): it is not cancelled while the alarm is active, before a grant
//   time-out from that first raise, unless the gate is going;
// - egress: a leaving passage is an exit on an exit lane always, on an entry lane during the
//   alarm (an evacuation is never an alarm);
// - safety (check_outputs, and on every release write): while the fire alarm is active every
//   release is on, and stays on for a lane still occupied after it cleared; no release is
//   written off meanwhile; egress is held free out of service and with a lost scanner.
// Deliberate behaviours encoded: an alarm raised inside a lane's output write takes over
// once that reaction is done (the lane machine queues events, never nests them), so what the
// reaction reports (a grant shown, a tailgater) is still its own; a grant the alarm or service
// ended lingers while someone is in the lane, and during the alarm a grant time-out at least.
// An alarm cleared inside a write of its own raise may have reached some lanes and not others:
// the model then knows no lane's grants ended, and a lane occupied then may be clearing (free
// both ways) or not until it is clear. A clear given inside any write waits, in a lane handling
// an event, until that event is done, and a raise given meanwhile overtakes it there: the
// model knows the grants it ends over only once the step's inputs have returned with the
// alarm still clear. Changes nest to any depth (a change inside a write of a change); the
// model's level is always the latest given.
// Violations are collected as text (the history prints them with its seed and steps).
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "controller/config/config.hpp"
#include "controller/lanes/gate_observer.hpp"
#include "controller/lanes/ports.hpp"
#include "hw/fake_io_backend.hpp"

namespace passgate::test::lane_history {

// What the model knows of one session the scripted admission admitted.
struct ModelSession {
  int lane = 0;
  int limit = 0;           // the group the admission granted (capped by the lane's limit)
  int people = 0;          // what the lane showed (0 until it did)
  bool shown = false;      // the lane showed it admitted: its grant opened
  int credited = 0;        // admitted passages charged to it
  bool cancelled = false;  // reported unused
  bool over = false;       // the model knows its grant ended: nothing may be credited any more
  SteadyTime over_at{};    // when the model knew it (the grant ended then or before)
  bool alarm_seen = false;  // the alarm rose while its grant was in force
  // In force on a clear lane at that first raise: not cancelled before this while the alarm is
  // active (the grant the alarm ended lingers a grant time-out at least).
  std::optional<SteadyTime> lingers_until{};
};

// What the model knows of one lane.
struct ModelLane {
  controller::LaneConfig config;
  bool outer = false;
  bool inner = false;
  bool in_service = true;
  bool clearing = false;      // the alarm cleared while the lane was occupied: still free both ways
  bool unsure = false;        // occupied when an alarm cleared before its raise was done: free or not
  bool scanner_lost = false;
  std::set<std::string> over_when_clear;  // grants that end once the lane is clear (no alarm)
  std::optional<Millis> reload_grant_timeout;  // the setting of a reload being given
  // No grant the lane showed is still in force once the lane has been clear out of the alarm
  // at a moment past this: the grant time-out after the last admission shown or place used.
  SteadyTime deadline{};
  [[nodiscard]] bool clear() const { return !outer && !inner; }
  [[nodiscard]] bool entry() const { return config.kind == controller::LaneKind::entry; }
};

class LaneHistoryModel final : public controller::LaneReports, public controller::GateObserver {
 public:
  LaneHistoryModel(const std::vector<controller::LaneConfig>& lanes, hw::FakeIoBackend& io, const Clock& clock);
  ~LaneHistoryModel() override;
  LaneHistoryModel(const LaneHistoryModel&) = delete;
  LaneHistoryModel& operator=(const LaneHistoryModel&) = delete;

  // controller::LaneReports: checked as they come.
  void passage(int lane, controller::Direction direction, controller::PassageKind kind,
               const std::optional<std::string>& session_id) override;
  void grant_unused(const std::string& session_id) override;
  // controller::GateObserver: the answers as the lanes showed them (the gate passes a lane's
  // scan_answered on to its observers only).
  void on_scan_answered(int lane, const controller::AdmissionResult& answer) override;
  void on_input_changed(const std::string& /*line*/) override {}
  void on_scan_read(const std::string& /*scanner*/, const std::string& /*text*/) override {}
  void on_scanner_connection(const std::string& /*scanner*/, bool /*connected*/, const std::string& /*detail*/) override {}

  // What the history does. The fire alarm as the gate sees it (panel or lost loop): told
  // before the input is given, so that a release written off inside it is caught.
  void alarm(bool active);
  // The input that raised or cleared it returned (a clear ends the lanes' grants once each is
  // clear, unless a raise inside one of its writes overtook it).
  void alarm_given();
  // A lane's beams about to change (told before the input) and changed (after it).
  void beams_changing(int lane, bool outer, bool inner);
  void beams_changed(int lane);
  void set_in_service(int lane, bool in_service);
  void scanner(int lane, bool connected);
  // A reload with these lane settings is about to be given: a lane may take its grant time-out
  // before the gate's reconfigure returns (a raise inside it ends grants with either setting).
  void reloading(const std::vector<controller::LaneConfig>& lanes);
  // A reload with these lane settings (Gate::reconfigure): an out_of_service that changed
  // takes the lane out of service or back.
  void reload(const std::vector<controller::LaneConfig>& lanes);
  // The admission admitted `session` for `lane`, `limit` people at most; before the answer.
  void admitted(int lane, const std::string& session, int limit);
  // The answer was delivered: a session the lane did not show admitted must be cancelled.
  void answer_delivered(const std::string& session);
  // A new gate with these lanes replaced the old one (destroyed: every grant of it is over),
  // in the fire alarm until the loop is reported clear.
  void restarted(const std::vector<controller::LaneConfig>& lanes);
  // Runs `action` once, from inside the next output or display write (after checking it): a
  // backend reporting an input while the gate is still writing. The action may arm the next
  // one, which then runs inside a later write (its own writes included).
  void on_next_write(std::function<void()> action) { next_write_ = std::move(action); }
  // The gate is about to be destroyed: it cancels what lingers, alarm or not.
  void gate_going() { gate_going_ = true; }
  // A violation the history found itself.
  void fail(std::string what) { violation(std::move(what)); }

  // After every step: time has passed (grants past their time-out end), and the outputs say
  // what the model expects.
  void tick();
  void check_outputs();
  // After every step: no grant the model knew over since the last step is open at the gate.
  template <class OpenFor>
  void check_over_closed(OpenFor&& grant_open_for) {
    for (const auto& id : newly_over_) {
      if (grant_open_for(id)) violation("session " + id + " still has an open grant after it ended");
    }
    newly_over_.clear();
  }
  // After every lane has been clear, the alarm quiet or not, for longer than any grant,
  // close retry and linger: every admitted session is credited or cancelled and none is open.
  template <class OpenFor>
  void check_all_ended(OpenFor&& grant_open_for) {
    for (const auto& [id, s] : sessions_) {
      if (!s.cancelled && s.credited == 0) violation("session " + id + " neither credited nor cancelled at rest");
      if (grant_open_for(id)) violation("session " + id + " still has an open grant at rest");
    }
  }

  [[nodiscard]] bool alarm() const { return alarm_; }
  [[nodiscard]] const ModelLane& lane(int number) const { return lanes_.at(number); }
  [[nodiscard]] const std::map<int, ModelLane>& lanes() const { return lanes_; }
  [[nodiscard]] const std::map<std::string, ModelSession>& sessions() const { return sessions_; }
  [[nodiscard]] const std::vector<std::string>& violations() const { return violations_; }
  // Counts for the report: passages credited, cancelled, tailgaters, forced.
  struct Counts {
    int credited = 0, cancelled = 0, tailgate = 0, forced = 0, exits = 0, wrong_way = 0;
  };
  [[nodiscard]] const Counts& counts() const { return counts_; }

 private:
  void violation(std::string what) { violations_.push_back(std::move(what)); }
  // A lane's grants (shown, not over) end once it is clear out of the alarm.
  void end_when_clear(ModelLane& lane, int number);
  void end_if_clear(ModelLane& lane);
  // The lane is clear now: past its deadline every grant it showed is over.
  void expire_if_past(ModelLane& lane, int number);
  void over(const std::string& id);
  void on_write();
  // The step's inputs have returned: a clear given inside a write has reached every lane (or a
  // raise overtook it).
  void settle_clear();

  hw::FakeIoBackend& io_;
  const Clock& clock_;
  std::map<int, ModelLane> lanes_;
  std::map<std::string, ModelSession> sessions_;
  std::vector<std::string> violations_;
  Counts counts_;
  bool alarm_ = true;  // unknown = alarm, as the gate starts
  std::optional<int> changing_;  // the lane whose beams are being given
  std::size_t writes_seen_ = 0;
  std::function<void()> next_write_;
  std::vector<std::string> newly_over_;  // shown sessions known over since check_over_closed
  int in_write_ = 0;                 // running next_write_ (nested: an action inside an action's write)
  bool alarm_mid_reaction_ = false;  // the alarm was raised inside a write, this step
  int giving_ = 0;                   // alarm inputs given that have not returned
  bool clear_pending_ = false;       // a clear given inside a write: its lanes' grants end at settle_clear
  bool gate_going_ = false;          // the gate is being destroyed
};

}  // namespace passgate::test::lane_history
