#include "controller/settlement/retry_backoff.hpp"

#include <algorithm>
#include <cstdint>

namespace passgate::controller {

Millis RetryBackoff::base(int attempts) const {
  const int doublings = std::clamp(attempts - 1, 0, 20);
  return Millis{std::min(policy_.cap.count(), policy_.first.count() << doublings)};
}

Millis RetryBackoff::delay(int attempts) {
  const auto b = base(attempts).count();
  std::uniform_int_distribution<std::int64_t> jitter(0, b / 2);
  return Millis{b + jitter(rng_)};
}

Millis RetryBackoff::longest(int attempts) const { return base(attempts) * 3 / 2; }

}  // namespace passgate::controller
