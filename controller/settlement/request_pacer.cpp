#include "controller/settlement/request_pacer.hpp"

#include <algorithm>
#include <chrono>

namespace passgate::controller {

SteadyTime::duration RequestPacer::interval() const {
  return std::chrono::duration_cast<SteadyTime::duration>(std::chrono::nanoseconds(1'000'000'000LL / per_second_));
}

int RequestPacer::take(SteadyTime now, int wanted) {
  if (per_second_ <= 0) return std::max(wanted, 0);
  int taken = 0;
  // A wake-up late by less than one interval keeps the schedule (timer latency does not slow
  // the pace); a longer quiet spell earns no credit: the next request starts now.
  if (!next_ || *next_ + interval() < now) next_ = now;
  while (taken < wanted && *next_ <= now) {
    *next_ += interval();
    ++taken;
  }
  return taken;
}

void RequestPacer::take_extra(SteadyTime now) {
  if (per_second_ <= 0) return;
  if (!next_ || *next_ + interval() < now) next_ = now;
  *next_ += interval();
}

std::optional<Millis> RequestPacer::wait(SteadyTime now) const {
  if (per_second_ <= 0 || !next_ || *next_ <= now) return std::nullopt;
  // Rounded up: waking a little late keeps the rate, waking early spins once more.
  return std::chrono::ceil<Millis>(*next_ - now);
}

}  // namespace passgate::controller
