// ScenarioPlayer: plays a Scenario against the gate.
// Start: sends every input level the rig owns (fire_alarm 0, each scenario lane's beams 0;
// the gate treats the alarm as active until then) and waits up to 3 s until the gate reports
// release_in and release_out 0 on every scenario lane.
// Then steps are dispatched in file order. A step with `wait` first waits until every
// earlier step has finished; one with `at_ms` waits until that much (nominal) time has
// passed since the start. A lane step then joins its lane's queue and the dispatcher moves
// on: it starts when every earlier step on its lane has finished, or, for a shopper with
// `follow = true`, when every earlier step on its lane has had its scan answered (scan-ahead).
// A gate-wide step (fire_drill, tracking, pause) runs alone: the dispatcher moves on when it
// has finished. The run ends when every step has finished. Single-threaded.
#pragma once

#include <functional>
#include <memory>
#include <vector>

#include "tools/sim/rig/scenario.hpp"
#include "tools/sim/rig/step.hpp"

namespace passgate::sim {

// How long the gate may take to report the scenario's lanes idle after the rig connects.
inline constexpr Millis kIdleDeadline{3000};

class ScenarioPlayer {
 public:
  // `finished(true)` when every step has finished; `finished(false)` if the gate never
  // reported the lanes idle. `scenario` must outlive the player.
  ScenarioPlayer(const Scenario& scenario, const RigParts& parts, std::function<void(bool completed)> finished);

  void start();

 private:
  void play();
  void dispatch(std::size_t index);
  void launch(std::size_t index);
  [[nodiscard]] bool all_finished_before(std::size_t index) const;
  [[nodiscard]] bool lane_ready(std::size_t index) const;
  // What keeps a scenario lane from counting as idle ("lane2.release_in is not reported"), if anything.
  [[nodiscard]] std::optional<std::string> not_idle() const;

  const Scenario& scenario_;
  RigContext ctx_;
  std::function<void(bool)> finished_;
  std::vector<std::unique_ptr<StepRun>> runs_;
  std::vector<std::unique_ptr<Watch>> lane_waits_;
  std::unique_ptr<Watch> idle_wait_, dispatch_wait_, all_done_;
  std::unique_ptr<Timer> at_timer_;
  SteadyTime start_;
};

}  // namespace passgate::sim
