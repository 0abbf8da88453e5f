// LaneInputs: the gate's raw input events (IoListener::on_input, by line name) turned into
// what the lane state machines react to: debounced beams, passages with a direction (one
// per person, counted by the lane's PassageDetector from the beams and the optional passage
// sensor's pulses), those pulses themselves and the debounced global fire alarm.
//
// Use: the controller, as the backend's IoListener, creates one LaneInputs, calls
// add_lane() for every configured lane (entry and exit alike) and forwards every
// on_input() to it; LaneInputs calls back the LaneInputsListener. Scans do not pass here.
//
// Every input line is debounced with the same `debounce` time (0 = none, e.g. when the
// kernel already debounces). Lane inputs start inactive; fire_alarm starts ACTIVE (its safe
// default: unknown = alarm) and clears only when the backend reports it inactive and it
// stays so for the debounce time; a report of active counts at once (an alarm is never
// delayed nor suppressed by debouncing). Single-threaded, on the event loop; callbacks run from a
// debounce timer, or (debounce 0) synchronously inside on_input().
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/clock.hpp"
#include "common/result.hpp"
#include "hw/debouncer.hpp"
#include "hw/passage_detector.hpp"

namespace passgate::hw {

class LaneInputsListener {
 public:
  virtual ~LaneInputsListener() = default;
  // One person passed through `lane` (see PassageDetector). Every passage of an excursion
  // comes, one call per person, before the on_beams(lane, Occupancy::none) that ends it.
  virtual void on_passage(int lane, PassageDirection direction) = 0;
  // The lane's debounced beams changed (outer_blocked()/inner_blocked() split it up).
  virtual void on_beams(int lane, Occupancy occupancy) = 0;
  // The optional rotation/flap sensor (lane<N>.passage) pulsed: debounced rising edge.
  // Already counted by the lane's PassageDetector if the lane was occupied.
  virtual void on_passage_sensor(int lane) = 0;
  // The debounced fire alarm changed. Not called for the initial (active) level.
  virtual void on_fire_alarm(bool active) = 0;
};

class LaneInputs {
 public:
  LaneInputs(TimerService& timers, Millis debounce, LaneInputsListener& listener);
  ~LaneInputs();
  LaneInputs(const LaneInputs&) = delete;
  LaneInputs& operator=(const LaneInputs&) = delete;

  // Registers lane<lane>.beam_outer, .beam_inner and .passage.
  // REQUIRES: lane >= 1, not added before.
  void add_lane(int lane);

  // A raw input level from the backend. Error "unknown_input" if `line` is not an input of
  // a registered lane nor fire_alarm (the event is then ignored).
  [[nodiscard]] Status on_input(const std::string& line, bool active);

  // Debounced state. occupancy() is Occupancy::none for a lane that is not registered.
  [[nodiscard]] Occupancy occupancy(int lane) const;
  [[nodiscard]] bool fire_alarm_active() const { return fire_alarm_.level(); }
  // The debounced level of an input line (`passgatectl hw inputs`); empty if `line` is not
  // fire_alarm nor an input of a registered lane.
  [[nodiscard]] std::optional<bool> level(std::string_view line) const;

 private:
  struct Lane;

  TimerService& timers_;
  Millis debounce_;
  LaneInputsListener& listener_;
  Debouncer fire_alarm_;
  std::map<int, std::unique_ptr<Lane>> lanes_;
};

}  // namespace passgate::hw
