// WallClockWatch: notices the wall clock stepping backwards (an NTP correction, a board
// without a clock battery booting at 1970 until NTP answers), across restarts too: it keeps
// the latest wall time it has seen (the high-water mark) in the database (db::GateStatus,
// "wall_clock_high_water_ms"), written at most once a minute and at each step it notices.
// The payment drainer asks it before each round: after a backwards step, operations whose
// first attempt cannot be shown to be under 23 hours old are looked up before any resend,
// and retries scheduled by the clock before the step are brought forward. It also measures
// the age of the oldest waiting operation (oldest_age_ms) so that a step back cannot make it
// younger: the offline risk limit max_age_s (controller/settlement/entry_hold.cpp). Single-threaded.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "common/clock.hpp"
#include "db/gate_status.hpp"
#include "db/payment_queue.hpp"

namespace passgate::controller {

struct ClockStepBack {
  std::int64_t high_water_ms = 0;  // the latest wall time seen before the step
  std::int64_t now_ms = 0;         // the wall time after it
};

// A backwards step this process noticed, and when (monotonic clock).
struct NoticedStepBack {
  ClockStepBack step;
  SteadyTime noticed_at;
};

class WallClockWatch {
 public:
  // Reads the high-water mark kept by the last run, raised to the latest time the payment
  // queue recorded (the mark is written at most once a minute).
  WallClockWatch(db::GateStatus& status, db::PaymentQueue& queue, Clock& clock);

  // The wall time now, and a backwards step (beyond a second) since the last call, if any.
  [[nodiscard]] std::int64_t now_ms(std::optional<ClockStepBack>& stepped_back);
  // The latest backwards step noticed (kept in the database): operations first attempted at
  // or before its high-water mark cannot show their age by the wall clock.
  [[nodiscard]] std::optional<std::int64_t> unreliable_before_ms() const { return unreliable_before_ms_; }
  // The latest backwards step this process noticed (at start too: against the last run's mark).
  [[nodiscard]] const std::optional<NoticedStepBack>& last_step_back() const { return last_step_back_; }
  // The age at wall time `now_ms` of the oldest outstanding payment operation in `totals`,
  // never below 0; nullopt when there is none. The larger of: now minus the earliest
  // created_at_ms, and the age of the operation created first (the lowest id), which for an
  // operation made before the latest step back noticed in this run is its age at the step
  // (both times by the same clock) plus the monotonic time since. So a step back does not
  // make the oldest operation younger; a step forward makes it look older, by the step. A
  // step noticed by an earlier run is not remembered for this.
  [[nodiscard]] std::optional<std::int64_t> oldest_age_ms(const db::QueueTotals& totals, std::int64_t now_ms) const;

 private:
  struct NoticedStep {
    std::int64_t high_water_ms = 0;  // the latest wall time seen before it
    std::int64_t last_op_id = 0;     // the operation made last before it was noticed
    SteadyTime noticed_at;
  };

  void persist(std::int64_t now_ms);

  db::GateStatus& status_;
  db::PaymentQueue& queue_;
  Clock& clock_;
  std::int64_t high_water_ms_ = 0;
  std::int64_t persisted_at_ms_ = 0;
  std::optional<std::int64_t> unreliable_before_ms_;
  std::optional<NoticedStepBack> last_step_back_;
  static constexpr std::size_t kMaxSteps = 16;
  std::vector<NoticedStep> steps_;  // noticed in this run, oldest first
};

}  // namespace passgate::controller
