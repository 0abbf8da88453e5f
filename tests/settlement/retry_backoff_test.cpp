// RetryBackoff: the delay doubles per failed attempt from `first` up to `cap`, and its jitter
// only ever adds (up to half of that), so no wait is shorter than the documented one.
#include <catch2/catch.hpp>

#include "controller/settlement/retry_backoff.hpp"

using passgate::Millis;
using passgate::controller::RetryBackoff;
using passgate::controller::RetryPolicy;

TEST_CASE("the backoff doubles per attempt up to the cap, and jitter adds up to half, never takes away") {
  RetryBackoff backoff(RetryPolicy{Millis{200}, Millis{30000}});
  const std::pair<int, std::int64_t> base_delays[] = {{1, 200},    {2, 400},    {3, 800},   {5, 3200},
                                                     {8, 25600}, {9, 30000}, {40, 30000}, {0, 200}};
  for (const auto& [attempts, base] : base_delays) {
    std::int64_t shortest = base * 2;
    std::int64_t longest = 0;
    for (int sample = 0; sample < 200; ++sample) {
      INFO("attempts " << attempts);
      const Millis d = backoff.delay(attempts);
      CHECK(d.count() >= base);  // the documented floor: retry_initial_ms for the first wait
      CHECK(d.count() <= base + base / 2);
      shortest = std::min(shortest, d.count());
      longest = std::max(longest, d.count());
    }
    CHECK(longest > shortest);  // there is jitter, so gates do not retry in lockstep
  }
}
