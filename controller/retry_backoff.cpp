#include "controller/retry_backoff.hpp"

#include <algorithm>
#include <cstdint>

namespace passgate::controller {

Millis RetryBackoff::delay(int attempts) {
  const int doublings = std::clamp(attempts - 1, 0, 20);
  const auto base = std::min(policy_.cap.count(), policy_.first.count() << doublings);
  std::uniform_int_distribution<std::int64_t> jitter(0, base / 2);
  return Millis{base + jitter(rng_)};
}

}  // namespace passgate::controller
