#include "controller/lane_signals.hpp"

#include "hw/line_names.hpp"

namespace passgate::controller {

using hw::LineRole;

LaneSignals::LaneSignals(int lane, hw::IoBackend& io, TimerService& timers)
    : lane_(lane),
      io_(io),
      timers_(timers),
      release_in_(hw::line_name(lane, LineRole::release_in)),
      release_out_(hw::line_name(lane, LineRole::release_out)),
      green_(hw::line_name(lane, LineRole::led_green)),
      red_(hw::line_name(lane, LineRole::led_red)),
      buzzer_(hw::line_name(lane, LineRole::buzzer)) {}

void LaneSignals::release_in(bool on) { io_.set_output(release_in_, on || alarm_); }

void LaneSignals::release_out(bool on) { io_.set_output(release_out_, on || alarm_); }

void LaneSignals::green(bool on) { io_.set_output(green_, on); }

void LaneSignals::deny(DenialReason reason) {
  io_.set_output(red_, true);
  io_.set_output(buzzer_, true);
  io_.display(lane_, std::string(to_string(reason)));
  red_off_ = timers_.start(kRedOn, [this] { io_.set_output(red_, false); });
  buzzer_off_ = timers_.start(kBuzzerPulse, [this] { io_.set_output(buzzer_, false); });
}

void LaneSignals::admit(int people) {
  red_off_.reset();
  io_.set_output(red_, false);
  io_.display(lane_, "admit " + std::to_string(people));
}

void LaneSignals::set_alarm(bool active) {
  alarm_ = active;
  io_.set_output(release_in_, active);
  io_.set_output(release_out_, active);
  if (active) io_.set_output(green_, false);
}

}  // namespace passgate::controller
