// ScaledTimers: a TimerService that runs every delay `scale` times as long as asked
// (--time-scale). The rig's own behaviour (walking speed, patience, pauses, at_ms) is written
// in nominal milliseconds on this service; deadlines for the gate's reactions use the
// unscaled service, because the gate does not get faster when the rig does.
#pragma once

#include <chrono>
#include <cmath>

#include "common/clock.hpp"

namespace passgate::sim {

class ScaledTimers final : public TimerService {
 public:
  // REQUIRES: scale > 0.
  ScaledTimers(TimerService& inner, double scale) : inner_(inner), scale_(scale) {}

  [[nodiscard]] std::unique_ptr<Timer> start(Millis delay, std::function<void()> fn) override {
    return inner_.start(scaled(delay), std::move(fn));
  }
  void post(std::function<void()> fn) override { inner_.post(std::move(fn)); }

  // Real time for a nominal delay.
  [[nodiscard]] Millis scaled(Millis nominal) const {
    return Millis{std::llround(static_cast<double>(nominal.count()) * scale_)};
  }
  // Nominal time for a real duration.
  [[nodiscard]] Millis nominal(std::chrono::steady_clock::duration real) const {
    const auto real_ms = std::chrono::duration_cast<Millis>(real).count();
    return Millis{std::llround(static_cast<double>(real_ms) / scale_)};
  }

 private:
  TimerService& inner_;
  double scale_;
};

}  // namespace passgate::sim
