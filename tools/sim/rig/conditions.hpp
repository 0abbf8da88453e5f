// Conditions: "call me back when this holds" on the rig's single event loop. A watch's
// predicate is checked when the watch is made and again after every notify() (the gate view
// notifies on every message from the gate, the scenario player whenever a step moves on), so
// nothing polls. A watch with a timeout reports `false` if the timeout passes first.
// Destroying the returned Watch cancels it. Single-threaded.
#pragma once

#include <functional>
#include <memory>
#include <vector>

#include "common/clock.hpp"

namespace passgate::sim {

// A pending condition watch; destroying it cancels the callback.
class Watch {
 public:
  virtual ~Watch() = default;
};

class Conditions {
 public:
  // `loop` runs completions of watches whose predicate already holds when they are made,
  // so a callback never runs inside the call that registered it.
  explicit Conditions(TimerService& loop) : loop_(loop) {}

  // Calls `then` once `holds()` is true.
  [[nodiscard]] std::unique_ptr<Watch> when(std::function<bool()> holds, std::function<void()> then);
  // Calls `done(true)` once `holds()` is true, or `done(false)` after `timeout` on `timers`.
  [[nodiscard]] std::unique_ptr<Watch> within(TimerService& timers, Millis timeout,
                                              std::function<bool()> holds,
                                              std::function<void(bool held)> done);
  // Something the predicates read may have changed: re-checks every pending watch.
  void notify();

 private:
  struct Entry;
  class Handle;
  std::unique_ptr<Watch> add(std::shared_ptr<Entry> entry);

  TimerService& loop_;
  std::vector<std::shared_ptr<Entry>> entries_;
};

}  // namespace passgate::sim
