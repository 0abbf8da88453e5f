// MinorSum: a sum of amounts in minor units that cannot wrap. Each add is checked; a sum that
// would pass the largest 64-bit integer stays at that value and is marked `capped`, so a
// total shown to an operator is either exact or says that it is a lower bound, and never
// turns negative or fails. Amounts charged are bounded (payments.max_cart_minor at most
// 99,999,999), so a queue reaches the cap only beyond 92 billion operations.
#pragma once

#include <cstdint>
#include <limits>

namespace passgate {

struct MinorSum {
  std::int64_t minor = 0;
  bool capped = false;  // the true sum is larger than `minor`

  void add(std::int64_t amount) {
    if (__builtin_add_overflow(minor, amount, &minor)) {
      minor = amount > 0 ? std::numeric_limits<std::int64_t>::max() : std::numeric_limits<std::int64_t>::min();
      capped = true;
    }
  }
  void add(const MinorSum& other) {
    add(other.minor);
    capped = capped || other.capped;
  }
  friend bool operator==(const MinorSum&, const MinorSum&) = default;
};

}  // namespace passgate
