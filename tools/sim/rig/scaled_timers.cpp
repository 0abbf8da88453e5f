#include "tools/sim/rig/scaled_timers.hpp"

#include <cmath>

namespace passgate::sim {

Millis ScaledTimers::scaled(Millis nominal) const {
  return Millis{std::llround(static_cast<double>(nominal.count()) * scale_)};
}

Millis ScaledTimers::nominal(std::chrono::steady_clock::duration real) const {
  const auto real_ms = std::chrono::duration_cast<Millis>(real).count();
  return Millis{std::llround(static_cast<double>(real_ms) / scale_)};
}

}  // namespace passgate::sim
