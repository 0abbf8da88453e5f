// RequestPacer: holds the payment drain to `payments.max_requests_per_second`, below the
// gateway's own rate limit (a live Stripe account allows on the order of 100 requests a
// second and answers 429 above it; the gate shares that account with the store's other
// systems). Requests are spaced evenly, 1/rate apart: a wake-up a little late keeps the
// schedule, a quiet spell earns no credit (no burst), so the rate holds over any second.
// Rate 0: no pacing.
#pragma once

#include <optional>

#include "common/clock.hpp"

namespace passgate::controller {

class RequestPacer {
 public:
  explicit RequestPacer(int per_second = 0) : per_second_(per_second) {}

  // How many requests may start at `now` (at most `wanted`); each counted as sent.
  [[nodiscard]] int take(SteadyTime now, int wanted);
  // One more request counted as sent at `now` without asking (a send that follows a lookup at
  // once): the next one waits an interval longer.
  void take_extra(SteadyTime now);
  // How long from `now` until the next request may start; empty if one may start now.
  [[nodiscard]] std::optional<Millis> wait(SteadyTime now) const;
  // A new rate (config reload); the spacing already earned stays.
  void set_rate(int per_second) { per_second_ = per_second; }
  [[nodiscard]] int rate() const { return per_second_; }

 private:
  [[nodiscard]] SteadyTime::duration interval() const;

  int per_second_ = 0;
  std::optional<SteadyTime> next_;  // when the next request may start
};

}  // namespace passgate::controller
