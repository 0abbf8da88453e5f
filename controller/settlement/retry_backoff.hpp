// RetryBackoff: exponential backoff with jitter, capped, shared by the outbox sender and the
// payment drainer. The delay before attempt n+1 after n failed attempts is the base
// first * 2^(n-1), at most cap, plus a random jitter of 0 to half the base, so many gates do
// not retry in lockstep. Jitter only adds: no wait is shorter than its base (the first is
// never shorter than `first`); the longest is 1.5 * cap.
#pragma once

#include <random>

#include "common/clock.hpp"

namespace passgate::controller {

struct RetryPolicy {
  Millis first{500};
  Millis cap{30000};
};

class RetryBackoff {
 public:
  explicit RetryBackoff(RetryPolicy policy) : policy_(policy), rng_(std::random_device{}()) {}
  // The delay after `attempts` failed attempts (attempts >= 1; less counts as 1).
  [[nodiscard]] Millis delay(int attempts);
  // The longest delay(attempts) can be (its base plus the largest jitter).
  [[nodiscard]] Millis longest(int attempts) const;
  // The delay after `attempts` without its jitter: first * 2^(attempts-1), at most cap.
  [[nodiscard]] Millis base(int attempts) const;
  [[nodiscard]] const RetryPolicy& policy() const { return policy_; }

 private:
  RetryPolicy policy_;
  std::mt19937 rng_;
};

}  // namespace passgate::controller
