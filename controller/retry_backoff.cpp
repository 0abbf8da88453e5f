#include "controller/retry_backoff.hpp"

#include <algorithm>
#include <cstdint>

namespace passgate::controller {

Millis RetryBackoff::delay(int attempts) {
  const int doublings = std::clamp(attempts - 1, 0, 20);
  const auto full = std::min(policy_.cap.count(), policy_.first.count() << doublings);
  std::uniform_int_distribution<std::int64_t> jitter(full / 2, full);
  return Millis{jitter(rng_)};
}

}  // namespace passgate::controller
