// SystemClock: a Clock that reads the system's clocks directly, for objects made where no
// event loop's AsioTime is at hand (e.g. `passgatectl check-config`, which sends nothing).
// The daemon passes its AsioTime, and tests their VirtualTime, instead.
#pragma once

#include "common/clock.hpp"

namespace passgate {

class SystemClock final : public Clock {
 public:
  [[nodiscard]] WallTime wall_now() const override { return std::chrono::system_clock::now(); }
  [[nodiscard]] SteadyTime steady_now() const override { return std::chrono::steady_clock::now(); }
};

// One SystemClock for the whole process.
[[nodiscard]] inline const Clock& system_clock() {
  static const SystemClock clock;
  return clock;
}

}  // namespace passgate
