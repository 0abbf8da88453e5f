// LaneSignals: one lane's outputs (barrier releases, lights, buzzer, display) driven with
// the rules every lane shares.
// - Releases and the steady red light: the lane's state says what it wants
//   (release_in/release_out/hold_egress/steady_red) and apply() drives the lines, once per
//   handled event, so a state change that drops an output and takes it again within one
//   event never glitches the line. While the fire-alarm latch is set both releases are held
//   on and no request can turn them off; hold_egress keeps release_out on (out of service,
//   fault): software never blocks egress.
// - Red light: steady while the lane says so (out of service, fault, a lasting alarm), and
//   flashed at once for a moment by a denial or a momentary alarm.
// - Buzzer: one short pulse for a denial, a pattern of its own for each alarm kind.
// Single-threaded, on the event loop.
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <string>

#include "common/clock.hpp"
#include "common/denial_reason.hpp"
#include "controller/lanes/alarms.hpp"
#include "hw/io_backend.hpp"

namespace passgate::controller {

class LaneSignals {
 public:
  LaneSignals(int lane, hw::IoBackend& io, TimerService& timers);

  // What the lane's state wants; the lines follow at the next apply().
  void release_in(bool on);
  void release_out(bool on);
  // Keeps release_out on whatever the state wants.
  void hold_egress(bool on);
  void steady_red(bool on);
  // Drives both release lines (wanted, or held on by the fire latch or the egress hold) and
  // the red light.
  void apply();
  // Drives every line of the lane (apply(), and green and buzzer at their current levels),
  // e.g. after someone else drove one of them (passgatectl hw pulse).
  void refresh();

  void green(bool on);
  // Red light for a moment, a buzzer pulse, and the reason on the display.
  void deny(DenialReason reason);
  // Clears a denial's red flash and shows how many may enter.
  void admit(int people);
  // An alarm: its buzzer pattern, "alarm: <kind>" on the display and, for a momentary
  // kind, a red flash (a lasting one is shown by steady_red, which the lane sets).
  void alarm(AlarmKind kind);
  // A lasting alarm cleared: its buzzer pattern, if still sounding, stops.
  void alarm_cleared(AlarmKind kind);
  // Informative text on the lane's display ("out of service", "scanner fault").
  void show(const std::string& text);

  // Fire alarm latch. Set: both releases on, then green off and red as the lane wants.
  // Cleared: the releases go back to what the state wants at the next apply() (the lane
  // clears the latch only once its beams are clear).
  void set_alarm(bool active);
  // The latch's first steps alone: set, and release_out on (latch_egress), then release_in
  // too (latch_releases); no other line is written. The gate frees every lane's egress, then
  // every lane's entry, this way before any light is touched.
  void latch_egress();
  void latch_releases();
  [[nodiscard]] bool alarm_latched() const { return fire_latch_; }

  // On/off durations, starting with on.
  [[nodiscard]] static std::span<const Millis> buzzer_pattern(AlarmKind kind);

  static constexpr Millis kRedOn{1500};
  static constexpr Millis kBuzzerPulse{200};

 private:
  void play(std::span<const Millis> pattern);
  void next_buzzer_step();
  void flash_red();
  void update_red();
  void set_buzzer(bool on);

  int lane_;
  hw::IoBackend& io_;
  TimerService& timers_;
  std::string release_in_, release_out_, green_, red_, buzzer_;
  bool want_in_ = false;
  bool want_out_ = false;
  bool egress_hold_ = false;
  bool want_green_ = false;
  bool buzzer_on_ = false;
  bool fire_latch_ = false;
  bool red_steady_ = false;
  bool red_flash_ = false;
  std::span<const Millis> pattern_;
  std::size_t step_ = 0;
  std::unique_ptr<Timer> red_off_, buzzer_step_;
};

}  // namespace passgate::controller
