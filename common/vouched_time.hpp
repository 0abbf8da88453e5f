// VouchedTime: the time a gate's own records vouch for, for the jobs that delete by age
// (controller/admission/TokenPurge, controller/storage/RetentionSweeper): the newest of what
// the database holds (the job's high-water mark, the newest admission) and, while running,
// the time the job last went by plus the monotonic time since. A wall clock that runs fast
// never moves it; the jobs take the earlier of it and the wall clock. Single-threaded.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <optional>

#include "common/clock.hpp"

namespace passgate {

class VouchedTime {
 public:
  explicit VouchedTime(Clock& clock) : clock_(clock) {}

  // Ms since the epoch: the newest of `stored_ms` and the last time gone by plus the
  // monotonic time since.
  [[nodiscard]] std::int64_t records_ms(std::int64_t stored_ms) const {
    if (!last_) return stored_ms;
    const auto ran = std::chrono::duration_cast<Millis>(clock_.steady_now() - last_->at);
    return std::max(stored_ms, last_->by_ms + ran.count());
  }

  // The job went by `by_ms`, now.
  void went_by(std::int64_t by_ms) { last_ = Last{by_ms, clock_.steady_now()}; }

 private:
  struct Last {
    std::int64_t by_ms = 0;
    SteadyTime at;
  };
  Clock& clock_;
  std::optional<Last> last_;
};

}  // namespace passgate
