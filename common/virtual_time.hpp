// VirtualTime: a Clock and TimerService whose time moves only when a test says so.
// advance(d) fires every timer and posted call due within d, in due order, at its due
// time; run_ready() runs what is due now. For unit tests of lanes, debouncing, outboxes.
#pragma once

#include <cstdint>
#include <map>
#include <memory>

#include "common/clock.hpp"

namespace passgate {

class VirtualTime final : public Clock, public TimerService {
 public:
  VirtualTime();

  [[nodiscard]] WallTime wall_now() const override { return wall_start_ + (steady_ - steady_start_); }
  [[nodiscard]] SteadyTime steady_now() const override { return steady_; }
  [[nodiscard]] std::unique_ptr<Timer> start(Millis delay, std::function<void()> fn) override;
  void post(std::function<void()> fn) override;

  // Moves time forward by `d`, firing everything due on the way.
  void advance(Millis d);
  // Runs everything due at the current instant (posted calls, zero-delay timers).
  void run_ready();
  // Runs only the earliest call due within `within` (time moves to it), not what it posts:
  // for a test that stops a loop between two of its turns (e.g. a crash). Whether one ran.
  bool run_next(Millis within = Millis{0});
  // Time passes while a handler blocks the loop (a slow system call): now moves forward by
  // `d`, firing nothing; what came due meanwhile runs at the next run_ready, advance or run_next.
  void elapse(Millis d) { steady_ += d; }
  // Sets the calendar time that corresponds to the current instant.
  void set_wall(WallTime t);
  [[nodiscard]] std::size_t pending() const { return queue_.size(); }
  // A crash: every posted call and timer is forgotten, never run.
  void drop_pending() { queue_.clear(); }

 private:
  friend class VirtualTimer;
  using Key = std::pair<SteadyTime, std::uint64_t>;
  std::map<Key, std::function<void()>> queue_;
  std::uint64_t next_seq_ = 0;
  SteadyTime steady_start_;
  SteadyTime steady_;
  WallTime wall_start_;
};

}  // namespace passgate
