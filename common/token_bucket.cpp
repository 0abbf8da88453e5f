#include "common/token_bucket.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace passgate {

double TokenBucket::tokens(SteadyTime now) const {
  if (now <= at_) return tokens_;
  const std::chrono::duration<double> elapsed = now - at_;
  return std::min(burst_, tokens_ + elapsed.count() * rate_);
}

bool TokenBucket::try_take(double n, SteadyTime now) {
  if (tokens(now) < n) return false;
  take(n, now);
  return true;
}

void TokenBucket::take(double n, SteadyTime now) {
  tokens_ = tokens(now) - n;
  at_ = std::max(at_, now);
}

std::chrono::milliseconds TokenBucket::until(double n, SteadyTime now) const {
  const double missing = n - tokens(now);
  if (missing <= 0) return std::chrono::milliseconds(0);
  return std::chrono::milliseconds(static_cast<std::int64_t>(std::ceil(missing / rate_ * 1000.0)));
}

}  // namespace passgate
