// The hourly offline admissions cap ([offline] max_admissions_per_hour) whatever the wall
// clock does: a step forward does not reset it (this run's admissions count by the monotonic
// clock), a step back keeps admissions stamped after the new time counting, but for at most
// a day ahead of the clock.
#include <catch2/catch.hpp>

#include <optional>

#include "tests/admission/admission_fixture.hpp"

using namespace std::chrono_literals;
using passgate::DenialReason;
using passgate::controller::OfflinePolicy;
using passgate::test::AdmissionFixture;

namespace {

// One entry with the tracking engine unreachable (AdmissionFixture::admit expects the newest
// session last in time order, which a step back upsets).
passgate::controller::AdmissionResult admit_offline(AdmissionFixture& f, const std::string& shopper) {
  std::optional<passgate::controller::AdmissionResult> result;
  f.admission->request(1, 4, f.token_of(shopper), [&](passgate::controller::AdmissionResult r) { result = std::move(r); });
  f.vt.run_ready();
  if (!result) {
    REQUIRE_FALSE(f.tracking.calls.empty());
    f.tracking.reply_newest(0);
    f.vt.run_ready();
  }
  REQUIRE(result.has_value());
  return *result;
}

// Two shoppers admitted offline (the tracking engine unreachable), filling a cap of 2.
void fill_offline_cap(AdmissionFixture& f) {
  REQUIRE(admit_offline(f, "shp_cap_a").offline);
  REQUIRE(admit_offline(f, "shp_cap_b").offline);
  const auto full = admit_offline(f, "shp_cap_c");
  REQUIRE_FALSE(full.admitted);
  REQUIRE(full.reason == DenialReason::offline_limit);
}

}  // namespace

TEST_CASE("a step forward of the wall clock does not reset the offline admissions cap") {
  AdmissionFixture f(OfflinePolicy::admit, 2);
  fill_offline_cap(f);

  // NTP (or a hand) steps the clock two hours forward, one minute of real time later.
  f.vt.advance(1min);
  f.vt.set_wall(f.vt.wall_now() + 2h);
  const auto after_step = admit_offline(f, "shp_cap_d");
  CHECK_FALSE(after_step.admitted);
  CHECK(after_step.reason == DenialReason::offline_limit);

  // An hour of real time after the admissions, the cap has room again.
  f.vt.advance(60min);
  CHECK(admit_offline(f, "shp_cap_e").admitted);
}

TEST_CASE("after a step back and a restart, admissions stamped ahead of the clock count, up to a day ahead") {
  AdmissionFixture f(OfflinePolicy::admit, 2);
  fill_offline_cap(f);
  const auto filled_at = f.vt.wall_now();

  // A restart forgets the monotonic times; the database still holds the admissions.
  f.restart();
  SECTION("two hours back: the admissions stamped in the clock's future still fill the cap") {
    f.vt.set_wall(filled_at - 2h);
    const auto refused = admit_offline(f, "shp_cap_d");
    CHECK_FALSE(refused.admitted);
    CHECK(refused.reason == DenialReason::offline_limit);
  }
  SECTION("two days back: stamped more than a day ahead, they no longer hold the cap") {
    f.vt.set_wall(filled_at - 48h);
    CHECK(admit_offline(f, "shp_cap_d").admitted);
  }
}
