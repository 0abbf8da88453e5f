// The offline risk limit max_age_s whatever the wall clock does: a step back of the wall
// clock does not make the oldest waiting payment operation younger.
#include <catch2/catch.hpp>

#include "tests/admission/admission_fixture.hpp"

using namespace std::chrono_literals;
using namespace passgate;
using namespace passgate::test;
using passgate::PaymentOutcomeKind;

namespace {

// Answers every request the gateway holds as a time-out would (the gateway is unreachable).
void time_out_every_gateway_call(AdmissionFixture& f) {
  while (!f.gateway.calls.empty()) {
    f.gateway.answer_oldest(FakeGateway::outcome(PaymentOutcomeKind::unknown, 0, "timeout after 1500 ms"));
  }
  f.vt.run_ready();
}

// One shopper's entry with the gateway unreachable: the hold's outcome is unknown.
controller::AdmissionResult enter_with_gateway_down(AdmissionFixture& f, const std::string& shopper) {
  std::optional<controller::AdmissionResult> result;
  f.admission->request(1, 4, f.token_of(shopper), [&](controller::AdmissionResult r) { result = std::move(r); });
  f.vt.run_ready();
  time_out_every_gateway_call(f);
  if (!result && !f.tracking.calls.empty()) {
    f.tracking.reply_newest(201);
    f.vt.run_ready();
  }
  REQUIRE(result.has_value());
  return *result;
}

}  // namespace

TEST_CASE("max_age_s still limits offline entries after the wall clock steps back") {
  AdmissionFixture f;
  controller::OfflineRiskLimits limits;
  limits.max_age = std::chrono::seconds(3600);
  f.require_hold(5000, limits);
  REQUIRE(f.settlement->start().ok());

  // The gateway goes down; a shopper enters on an unconfirmed hold, which stays queued.
  const auto first = enter_with_gateway_down(f, "shp_age_a");
  REQUIRE(first.admitted);

  // 50 minutes later the wall clock steps back two hours; the drainer notices at its next round.
  f.vt.advance(50min);
  f.vt.set_wall(f.vt.wall_now() - 2h);
  f.vt.advance(2s);

  SECTION("within max_age_s of real time, entries are still admitted") {
    const auto second = enter_with_gateway_down(f, "shp_age_b");
    CHECK(second.admitted);
  }
  SECTION("past max_age_s of real time, entries that need a hold are refused") {
    f.vt.advance(20min);  // the first hold has waited 70 minutes
    const auto third = enter_with_gateway_down(f, "shp_age_c");
    CHECK_FALSE(third.admitted);
    CHECK(third.reason == DenialReason::offline_limit);
  }
  SECTION("a second, small step back (NTP's fine correction after its coarse one) does not undo it") {
    f.vt.advance(5min);
    f.vt.set_wall(f.vt.wall_now() - 2s);
    // An entry right after it: the gate notices this step too (the first hold has waited 55 minutes).
    CHECK(enter_with_gateway_down(f, "shp_age_mid").admitted);
    f.vt.advance(15min);  // the first hold has waited 70 minutes
    const auto fourth = enter_with_gateway_down(f, "shp_age_d");
    CHECK_FALSE(fourth.admitted);
    CHECK(fourth.reason == DenialReason::offline_limit);
  }
}

TEST_CASE("max_age_s still limits an entry that comes right after a step back, before the drainer's round") {
  AdmissionFixture f;
  controller::OfflineRiskLimits limits;
  limits.max_age = std::chrono::seconds(3600);
  f.require_hold(5000, limits);
  REQUIRE(f.settlement->start().ok());
  REQUIRE(enter_with_gateway_down(f, "shp_age_a").admitted);

  // 61 minutes later the clock steps back, and the next entry comes at once.
  f.vt.advance(61min);
  f.vt.set_wall(f.vt.wall_now() - 2h);
  const auto second = enter_with_gateway_down(f, "shp_age_b");
  CHECK_FALSE(second.admitted);
  CHECK(second.reason == DenialReason::offline_limit);
}
