// RigPerson: one person walking through a lane, at beam level. Entering: blocks beam_outer,
// reaches the barrier 35% into the walk and goes on only if the gate released it for their
// direction (else waits up to 1.5 s for it and then backs out, unless they force it), then
// blocks both beams, then only beam_inner, then clears. Leaving is the mirror image. Times
// are nominal, on the rig's scaled timers. Holds the lane's beam zone while walking.
// Single-threaded; destroying a person mid-walk stops it (beams stay as they are).
#pragma once

#include <functional>
#include <memory>

#include "tools/sim/rig/conditions.hpp"
#include "tools/sim/rig/gate_view.hpp"
#include "tools/sim/rig/lane_model.hpp"

namespace passgate::sim {

// What a person does when they reach the barrier.
enum class AtBarrier {
  wait,       // proceeds once it is released; backs out after their patience runs out
  force,      // pushes through whether released or not (tailgater, wrong-way)
  turn_back,  // leans into the barrier (both beams), then backs out regardless
};

struct Walk {
  Direction direction = Direction::entering;
  AtBarrier at_barrier = AtBarrier::wait;
  Millis duration{900};  // from blocking the first beam to clearing the last, without waiting
  Millis gap{150};       // pause after the person ahead cleared the zone, before stepping in
};

// How long a waiting person stands at a closed barrier before backing out.
inline constexpr Millis kPatience{1500};

enum class WalkResult { passed, backed_out };

struct WalkOutcome {
  WalkResult result = WalkResult::passed;
  // The barrier was released in the person's direction when they went through it (or, for
  // a person who backed out, when they gave up).
  bool released = false;
};

class RigPerson {
 public:
  // `timers` is the rig's scaled timer service; `done` runs once, last (it may destroy this).
  RigPerson(RigLaneModel& lane, GateView& gate, TimerService& timers, Walk walk,
            std::function<void(WalkOutcome)> done);
  RigPerson(const RigPerson&) = delete;
  RigPerson& operator=(const RigPerson&) = delete;

  // Queues for the lane's beam zone and walks when it is their turn; `stepped_in` (if set)
  // runs when they block their first beam.
  void start(std::function<void()> stepped_in = {});

 private:
  void step_in();
  void at_barrier();
  void go_through(bool released);
  void back_out(bool released);
  void turn_back(bool released);
  bool released() const;
  void after(double fraction_of_walk, std::function<void()> next);
  void finish(WalkOutcome outcome);

  RigLaneModel& lane_;
  GateView& gate_;
  TimerService& timers_;
  Walk walk_;
  std::function<void(WalkOutcome)> done_;
  std::function<void()> stepped_in_;
  std::unique_ptr<Timer> timer_;
  std::unique_ptr<Watch> watch_;
};

}  // namespace passgate::sim
