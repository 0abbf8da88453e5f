// OfflineAdmissionWindow: the monotonic times of this run's offline admissions, for the hourly
// offline admissions cap ([offline] max_admissions_per_hour). The cap also counts the
// admissions the database holds stamped within the last hour of wall time (which covers the
// admissions of an earlier run); this window is what a forward step of the wall clock cannot
// empty. Keeps at most `limit` times: once that many fall within an hour the cap is reached
// whatever older ones there were. Single-threaded.
#pragma once

#include <cstddef>
#include <deque>

#include "common/clock.hpp"

namespace passgate::controller {

class OfflineAdmissionWindow {
 public:
  static constexpr Millis kWindow = std::chrono::hours(1);

  // Records an offline admission at monotonic time `at`, keeping the latest `limit` times.
  void record(SteadyTime at, int limit);
  // How many recorded admissions lie within the hour before `now` (monotonic).
  [[nodiscard]] int count_within_hour(SteadyTime now) const;

 private:
  std::deque<SteadyTime> times_;  // oldest first
};

}  // namespace passgate::controller
