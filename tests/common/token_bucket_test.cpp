// TokenBucket (common/token_bucket.hpp): full at first, refilled at its rate up to its burst,
// and able to go into debt for a cost known only afterwards, which is then paid by waiting.
#include <catch2/catch.hpp>

#include "common/token_bucket.hpp"

namespace passgate {
namespace {

using namespace std::chrono_literals;

TEST_CASE("a token bucket starts full, refills at its rate up to its burst, and may go into debt") {
  const SteadyTime t0{};
  TokenBucket bucket(2, 4, t0);
  CHECK(bucket.full(t0));
  CHECK(bucket.try_take(3, t0));
  CHECK_FALSE(bucket.try_take(2, t0));
  CHECK(bucket.until(2, t0) == 500ms);
  CHECK(bucket.try_take(2, t0 + 500ms));
  CHECK(bucket.tokens(t0 + 10s) == 4);  // never more than the burst
  bucket.take(10, t0 + 10s);           // a cost known afterwards: 6 owed
  CHECK(bucket.tokens(t0 + 10s) == -6);
  CHECK(bucket.until(1, t0 + 10s) == 3500ms);
  CHECK(bucket.tokens(t0 + 5s) == -6);  // an earlier time reads as the last take
}

}  // namespace
}  // namespace passgate
