// RigLaneModel: one lane of the rig at line level: its two beams, which it drives through
// RigWires (sending a level only when it changes), and its beam zone, which holds one person
// at a time so the gate sees separate passages (outer -> both -> inner -> clear). The
// barrier is not modelled here: it is whatever the gate reports (GateView). Single-threaded.
#pragma once

#include <deque>
#include <functional>
#include <memory>
#include <string>

#include "common/clock.hpp"
#include "hw/line_names.hpp"
#include "tools/sim/rig/wires.hpp"

namespace passgate::sim {

enum class Direction { entering, leaving };
enum class Beam { outer, inner };

// Entering starts at the outer beam; leaving at the inner one.
[[nodiscard]] Beam first_beam(Direction d);
[[nodiscard]] Beam last_beam(Direction d);
// The output that frees the barrier in that direction (release_in / release_out).
[[nodiscard]] hw::LineRole release_role(Direction d);

class RigLaneModel {
 public:
  // `timers` is the rig's (scaled) timer service.
  RigLaneModel(int lane, RigWires& wires, TimerService& timers);

  [[nodiscard]] int number() const { return lane_; }
  [[nodiscard]] std::string line(hw::LineRole role) const { return hw::line_name(lane_, role); }

  // Blocks or clears a beam; the gate is told only about changes.
  void set_beam(Beam beam, bool blocked);
  [[nodiscard]] bool blocked(Beam beam) const;
  // Sends both beam levels unconditionally (when the link comes up).
  void send_levels();

  // Queues for the beam zone: `go` runs when everyone queued earlier has vacated it and a
  // further `gap` has passed. From then the caller holds the zone until vacate().
  void occupy(Millis gap, std::function<void()> go);
  void vacate();
  // Someone holds the zone or waits for it.
  [[nodiscard]] bool busy() const { return occupied_ || !waiting_.empty(); }

 private:
  struct Waiter {
    Millis gap;
    std::function<void()> go;
  };
  void admit_next();

  int lane_;
  RigWires& wires_;
  TimerService& timers_;
  bool outer_ = false;
  bool inner_ = false;
  bool occupied_ = false;
  std::deque<Waiter> waiting_;
  std::unique_ptr<Timer> gap_timer_;
};

}  // namespace passgate::sim
