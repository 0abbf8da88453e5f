// LaneSignals: one lane's outputs (barrier releases, lights, buzzer, display) driven with
// the rules every lane shares. While the fire-alarm latch is set, both releases are held
// on and no request can turn them off: software never blocks egress during an alarm.
#pragma once

#include <memory>
#include <string>

#include "common/clock.hpp"
#include "common/denial_reason.hpp"
#include "hw/io_backend.hpp"

namespace passgate::controller {

class LaneSignals {
 public:
  LaneSignals(int lane, hw::IoBackend& io, TimerService& timers);

  void release_in(bool on);
  void release_out(bool on);
  void green(bool on);
  // Red light for a moment, a buzzer pulse, and the reason on the display.
  void deny(DenialReason reason);
  // Clears a denial's red light and shows how many may enter.
  void admit(int people);
  // Fire alarm: sets both releases (latched) or, when cleared, releases the latch and
  // turns both releases off. Lanes then set what their state needs.
  void set_alarm(bool active);
  [[nodiscard]] bool alarm() const { return alarm_; }

  static constexpr Millis kRedOn{1500};
  static constexpr Millis kBuzzerPulse{200};

 private:
  int lane_;
  hw::IoBackend& io_;
  TimerService& timers_;
  std::string release_in_, release_out_, green_, red_, buzzer_;
  bool alarm_ = false;
  std::unique_ptr<Timer> red_off_, buzzer_off_;
};

}  // namespace passgate::controller
