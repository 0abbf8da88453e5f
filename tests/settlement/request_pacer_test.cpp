// RequestPacer: even spacing at the set rate, no credit for a quiet spell, no pacing at 0.
#include <catch2/catch.hpp>

#include "controller/settlement/request_pacer.hpp"

using passgate::Millis;
using passgate::SteadyTime;
using passgate::controller::RequestPacer;

TEST_CASE("a pacer lets one request start per 1/rate, and says how long until the next") {
  RequestPacer pacer(4);  // one every 250 ms
  const SteadyTime t0{std::chrono::seconds(100)};
  CHECK(pacer.take(t0, 10) == 1);
  CHECK(pacer.wait(t0) == Millis{250});
  CHECK(pacer.take(t0 + Millis{249}, 10) == 0);
  CHECK(pacer.wait(t0 + Millis{249}) == Millis{1});
  CHECK(pacer.take(t0 + Millis{250}, 10) == 1);
  // Woken 10 ms late: one starts, and the next keeps its time (the pace does not drift).
  CHECK(pacer.take(t0 + Millis{510}, 10) == 1);
  CHECK(pacer.wait(t0 + Millis{510}) == Millis{240});
  // Late by more than an interval: no catching up, one now and the next 1/rate later.
  CHECK(pacer.take(t0 + Millis{1100}, 10) == 1);
  CHECK(pacer.take(t0 + Millis{1100}, 10) == 0);
  CHECK(pacer.wait(t0 + Millis{1100}) == Millis{250});
}

TEST_CASE("a quiet spell earns no burst, and rate 0 does not pace") {
  RequestPacer pacer(4);
  const SteadyTime t0{std::chrono::seconds(100)};
  CHECK(pacer.take(t0, 1) == 1);
  CHECK(pacer.take(t0 + std::chrono::minutes(10), 10) == 1);
  CHECK_FALSE(pacer.wait(t0 + std::chrono::minutes(10) + Millis{250}).has_value());

  RequestPacer unpaced;
  CHECK(unpaced.take(t0, 32) == 32);
  CHECK_FALSE(unpaced.wait(t0).has_value());
  pacer.set_rate(0);
  CHECK(pacer.take(t0, 7) == 7);
}

TEST_CASE("a request taken without asking (the send after a lookup) pushes the next one an interval later") {
  RequestPacer pacer(4);
  const SteadyTime t0{std::chrono::seconds(100)};
  CHECK(pacer.take(t0, 1) == 1);
  pacer.take_extra(t0);
  CHECK(pacer.wait(t0) == Millis{500});
  CHECK(pacer.take(t0 + Millis{499}, 1) == 0);
  CHECK(pacer.take(t0 + Millis{500}, 1) == 1);
  RequestPacer unpaced;
  unpaced.take_extra(t0);
  CHECK_FALSE(unpaced.wait(t0).has_value());
}

TEST_CASE("at most `wanted`, and never a negative count") {
  RequestPacer pacer(1000);
  const SteadyTime t0{std::chrono::seconds(1)};
  CHECK(pacer.take(t0, 0) == 0);
  CHECK(pacer.take(t0, -3) == 0);
  CHECK(pacer.take(t0, 3) == 1);  // one at a time, however many are due
  CHECK(pacer.take(t0 + Millis{1}, 3) == 1);
}
