// RetryBackoff: the delay doubles per failed attempt from `first`, is capped, and its
// jitter keeps it between half and all of that.
#include <catch2/catch.hpp>

#include "controller/retry_backoff.hpp"

using passgate::Millis;
using passgate::controller::RetryBackoff;
using passgate::controller::RetryPolicy;

TEST_CASE("the backoff doubles per attempt, with jitter between half and all, up to the cap") {
  RetryBackoff backoff(RetryPolicy{Millis{1000}, Millis{30000}});
  const std::pair<int, std::int64_t> full_delays[] = {{1, 1000}, {2, 2000}, {3, 4000}, {5, 16000},
                                                     {6, 30000}, {40, 30000}, {0, 1000}};
  for (const auto& [attempts, full] : full_delays) {
    for (int sample = 0; sample < 50; ++sample) {
      INFO("attempts " << attempts);
      const Millis d = backoff.delay(attempts);
      CHECK(d.count() >= full / 2);
      CHECK(d.count() <= full);
    }
  }
}
