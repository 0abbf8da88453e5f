#include "controller/lanes/signals.hpp"

#include <array>

#include "hw/line_names.hpp"

namespace passgate::controller {

using hw::LineRole;
using namespace std::chrono_literals;

namespace {

constexpr std::array<Millis, 1> kDenial{LaneSignals::kBuzzerPulse};
constexpr std::array<Millis, 3> kTwoShort{150ms, 100ms, 150ms};
constexpr std::array<Millis, 5> kThreeShort{150ms, 100ms, 150ms, 100ms, 150ms};
constexpr std::array<Millis, 3> kTwoLong{600ms, 200ms, 600ms};
constexpr std::array<Millis, 1> kOneLong{1000ms};
constexpr std::array<Millis, 7> kFourMedium{300ms, 100ms, 300ms, 100ms, 300ms, 100ms, 300ms};
constexpr std::array<Millis, 3> kLongShort{600ms, 200ms, 150ms};

}  // namespace

LaneSignals::LaneSignals(int lane, hw::IoBackend& io, TimerService& timers)
    : lane_(lane),
      io_(io),
      timers_(timers),
      release_in_(hw::line_name(lane, LineRole::release_in)),
      release_out_(hw::line_name(lane, LineRole::release_out)),
      green_(hw::line_name(lane, LineRole::led_green)),
      red_(hw::line_name(lane, LineRole::led_red)),
      buzzer_(hw::line_name(lane, LineRole::buzzer)) {}

std::span<const Millis> LaneSignals::buzzer_pattern(AlarmKind kind) {
  switch (kind) {
    case AlarmKind::tailgate: return kTwoShort;
    case AlarmKind::forced: return kThreeShort;
    case AlarmKind::wrong_way: return kTwoLong;
    case AlarmKind::beam_blocked: return kOneLong;
    case AlarmKind::barrier_obstructed: return kFourMedium;
    case AlarmKind::scanner_fault: return kLongShort;
  }
  return kDenial;
}

void LaneSignals::release_in(bool on) { want_in_ = on; }

void LaneSignals::release_out(bool on) { want_out_ = on; }

void LaneSignals::hold_egress(bool on) { egress_hold_ = on; }

void LaneSignals::apply() {
  io_.set_output(release_in_, want_in_ || fire_latch_);
  io_.set_output(release_out_, want_out_ || egress_hold_ || fire_latch_);
  update_red();
}

void LaneSignals::refresh() {
  apply();
  io_.set_output(green_, want_green_ && !fire_latch_);
  io_.set_output(buzzer_, buzzer_on_);
}

void LaneSignals::green(bool on) {
  want_green_ = on;
  io_.set_output(green_, on && !fire_latch_);
}

void LaneSignals::steady_red(bool on) { red_steady_ = on; }

void LaneSignals::deny(DenialReason reason) {
  flash_red();
  io_.display(lane_, std::string(to_string(reason)));
  play(kDenial);
}

void LaneSignals::admit(int people) {
  red_off_.reset();
  red_flash_ = false;
  update_red();
  io_.display(lane_, "admit " + std::to_string(people));
}

void LaneSignals::alarm(AlarmKind kind) {
  if (!is_lasting(kind)) flash_red();
  io_.display(lane_, "alarm: " + std::string(to_string(kind)));
  play(buzzer_pattern(kind));
}

void LaneSignals::alarm_cleared(AlarmKind kind) {
  if (!buzzer_step_ || pattern_.data() != buzzer_pattern(kind).data()) return;
  buzzer_step_.reset();
  set_buzzer(false);
}

void LaneSignals::show(const std::string& text) { io_.display(lane_, text); }

void LaneSignals::latch_egress() {
  fire_latch_ = true;
  io_.set_output(release_out_, true);
}

void LaneSignals::latch_releases() {
  latch_egress();
  io_.set_output(release_in_, true);
}

void LaneSignals::set_alarm(bool active) {
  if (!active) {
    fire_latch_ = false;  // the releases follow the state at the next apply()
    return;
  }
  // The releases before any light: a light may sit on a slower chip (an I2C expander).
  latch_releases();
  io_.set_output(green_, false);
  update_red();
}

void LaneSignals::play(std::span<const Millis> pattern) {
  pattern_ = pattern;
  step_ = 0;
  set_buzzer(true);
  buzzer_step_ = timers_.start(pattern_[0], [this] { next_buzzer_step(); });
}

// Even steps are "on", odd steps "off"; the line changes at the end of each step.
void LaneSignals::next_buzzer_step() {
  ++step_;
  set_buzzer(step_ % 2 == 0 && step_ < pattern_.size());
  if (step_ < pattern_.size()) {
    buzzer_step_ = timers_.start(pattern_[step_], [this] { next_buzzer_step(); });
  } else {
    buzzer_step_.reset();  // the pattern is over: nothing sounds for it any more
  }
}

void LaneSignals::flash_red() {
  red_flash_ = true;
  update_red();
  red_off_ = timers_.start(kRedOn, [this] {
    red_flash_ = false;
    update_red();
  });
}

void LaneSignals::update_red() { io_.set_output(red_, red_steady_ || red_flash_); }

void LaneSignals::set_buzzer(bool on) {
  buzzer_on_ = on;
  io_.set_output(buzzer_, on);
}

}  // namespace passgate::controller
