// Debouncer: turns the raw level changes of one input line into a debounced level. A new
// level is accepted only after the raw line has held it for `stable_for`; a line that
// bounces (changes again sooner) produces no output change at all. stable_for == 0 passes
// every change through immediately. With Edges::raise_at_once (the fire alarm) a change to
// active passes at once and only the return to inactive waits for `stable_for`: a loop that
// chatters faster than that is reported active, not suppressed. Single-threaded, on the event loop; timers come from
// the injected TimerService, so tests run it in virtual time.
#pragma once

#include <functional>
#include <memory>

#include "common/clock.hpp"

namespace passgate::hw {

class Debouncer {
 public:
  // Called with the new debounced level, only when it changes.
  using Callback = std::function<void(bool level)>;
  // Which changes wait for stability: both, or only the return to inactive.
  enum class Edges { both, raise_at_once };

  // `initial` is the debounced level before any input (the line's safe default).
  Debouncer(TimerService& timers, Millis stable_for, bool initial, Callback on_change, Edges edges = Edges::both);
  Debouncer(const Debouncer&) = delete;
  Debouncer& operator=(const Debouncer&) = delete;

  // A raw level observed on the line. Repeating the current raw level changes nothing.
  void feed(bool raw);
  // The debounced level.
  [[nodiscard]] bool level() const { return level_; }

 private:
  void accept(bool level);

  TimerService& timers_;
  Millis stable_for_;
  Edges edges_;
  bool level_;
  bool raw_;
  std::unique_ptr<Timer> settle_;  // pending while raw_ != level_
  Callback on_change_;
};

}  // namespace passgate::hw
