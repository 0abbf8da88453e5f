#include "tools/sim/rig/person.hpp"

#include <cmath>

namespace passgate::sim {

RigPerson::RigPerson(RigLaneModel& lane, GateView& gate, TimerService& timers, Walk walk,
                     std::function<void(WalkOutcome)> done)
    : lane_(lane), gate_(gate), timers_(timers), walk_(walk), done_(std::move(done)) {}

void RigPerson::start(std::function<void()> stepped_in) {
  stepped_in_ = std::move(stepped_in);
  lane_.occupy(walk_.gap, [this] { step_in(); });
}

void RigPerson::step_in() {
  lane_.set_beam(first_beam(walk_.direction), true);
  after(0.35, [this] { at_barrier(); });
  if (stepped_in_) stepped_in_();
}

void RigPerson::at_barrier() {
  const bool open = released();
  switch (walk_.at_barrier) {
    case AtBarrier::turn_back:
      turn_back(open);
      return;
    case AtBarrier::force:
      go_through(open);
      return;
    case AtBarrier::wait:
      if (open) {
        go_through(true);
        return;
      }
      watch_ = gate_.conditions().within(timers_, kPatience, [this] { return released(); },
                                         [this](bool held) { held ? go_through(true) : back_out(false); });
      return;
  }
}

void RigPerson::go_through(bool was_released) {
  lane_.set_beam(last_beam(walk_.direction), true);
  after(0.35, [this, was_released] {
    lane_.set_beam(first_beam(walk_.direction), false);
    after(0.30, [this, was_released] {
      lane_.set_beam(last_beam(walk_.direction), false);
      finish(WalkOutcome{WalkResult::passed, was_released});
    });
  });
}

void RigPerson::back_out(bool was_released) {
  lane_.set_beam(first_beam(walk_.direction), false);
  finish(WalkOutcome{WalkResult::backed_out, was_released});
}

void RigPerson::turn_back(bool was_released) {
  lane_.set_beam(last_beam(walk_.direction), true);
  after(0.20, [this, was_released] {
    lane_.set_beam(last_beam(walk_.direction), false);
    after(0.20, [this, was_released] { back_out(was_released); });
  });
}

bool RigPerson::released() const { return gate_.active(lane_.line(release_role(walk_.direction))); }

void RigPerson::after(double fraction_of_walk, std::function<void()> next) {
  const auto delay = Millis{std::llround(static_cast<double>(walk_.duration.count()) * fraction_of_walk)};
  timer_ = timers_.start(delay, std::move(next));
}

void RigPerson::finish(WalkOutcome outcome) {
  lane_.vacate();
  auto done = std::move(done_);
  done(outcome);
}

}  // namespace passgate::sim
