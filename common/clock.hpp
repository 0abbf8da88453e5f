// Time seams: Clock (wall and monotonic time) and TimerService (one-shot timers and
// deferred calls on the single event loop). Domain code never reads std::chrono clocks
// or creates Asio timers itself, so tests run it in virtual time (see virtual_time.hpp);
// the daemon uses AsioTime (asio_time.hpp).
#pragma once

#include <chrono>
#include <functional>
#include <memory>

namespace passgate {

using WallTime = std::chrono::system_clock::time_point;
using SteadyTime = std::chrono::steady_clock::time_point;
using Millis = std::chrono::milliseconds;

class Clock {
 public:
  virtual ~Clock() = default;
  // Calendar time, for token freshness and timestamps sent to other systems.
  [[nodiscard]] virtual WallTime wall_now() const = 0;
  // Monotonic time, for timeouts and debouncing.
  [[nodiscard]] virtual SteadyTime steady_now() const = 0;
};

// A pending one-shot timer. Destroying the handle cancels it: a state that owns its timer
// as a member cannot be called back after it is gone.
class Timer {
 public:
  virtual ~Timer() = default;
};

class TimerService {
 public:
  virtual ~TimerService() = default;
  // Calls `fn` on the loop after `delay`, unless the returned handle is destroyed first.
  [[nodiscard]] virtual std::unique_ptr<Timer> start(Millis delay, std::function<void()> fn) = 0;
  // Calls `fn` on the loop soon, after the current handler returns (never re-entrantly).
  virtual void post(std::function<void()> fn) = 0;
};

}  // namespace passgate
