// A used entry token stays refused whatever the wall clock does: the reproduction of issue 15
// (defect 3), and a wall clock behind the gate's own records by more than a day.
#include <catch2/catch.hpp>

#include <optional>

#include "common/time_format.hpp"
#include "controller/admission/token_purge.hpp"
#include "tests/admission/admission_fixture.hpp"

using namespace std::chrono_literals;
using passgate::DenialReason;
using passgate::WallTime;
using passgate::controller::TokenPurge;
using passgate::test::AdmissionFixture;

namespace {

// A token of `lifetime_s` seconds issued at `issued_at_s` to `shopper`, signed by the fixture's issuer.
std::string token_issued_at(AdmissionFixture& f, std::int64_t issued_at_s, std::int64_t lifetime_s,
                            const std::string& shopper = "shp_test") {
  passgate::sim::TokenSpec spec;
  spec.subject = shopper;
  spec.issuer = passgate::test::kIssuer;
  spec.audience = passgate::test::kStore;
  spec.now = issued_at_s;
  spec.lifetime_s = lifetime_s;
  return passgate::sim::mint_token(f.issuer, spec);
}

void set_wall_s(AdmissionFixture& f, std::int64_t unix_s) { f.vt.set_wall(WallTime(std::chrono::seconds(unix_s))); }

// The same token scanned again; if the gate asks the tracking engine (it would admit), the
// engine creates the session, as it did in the reproduction (session_opened offline=false).
passgate::controller::AdmissionResult scan_again(AdmissionFixture& f, const std::string& token) {
  std::optional<passgate::controller::AdmissionResult> result;
  f.admission->request(1, 4, token, [&](passgate::controller::AdmissionResult r) { result = std::move(r); });
  f.vt.run_ready();
  if (!result && !f.tracking.calls.empty()) {
    f.tracking.reply_newest(201);
    f.vt.run_ready();
  }
  REQUIRE(result.has_value());
  return *result;
}

// Anti-passback off (a store may configure it so, and the shopper's first visit may have
// ended by the time the token comes back): only the replay check stands in the way.
void replay_check_only(AdmissionFixture& f) {
  f.settings.anti_passback = passgate::controller::AntiPassback::off;
  f.restart();
}

}  // namespace

TEST_CASE("a token admitted, purged under a clock 10 minutes fast and scanned after the clock stepped back is replayed") {
  AdmissionFixture f;
  replay_check_only(f);
  std::optional<TokenPurge> purge;
  purge.emplace(*f.sessions, f.vt, f.vt);
  const std::int64_t issued = passgate::unix_seconds(f.vt.wall_now());
  const std::string token = token_issued_at(f, issued, 60);
  REQUIRE(f.admit(token, 201).admitted);

  // The gate runs with its clock 10 minutes fast long enough to purge, at start and on its timer.
  f.vt.set_wall(f.vt.wall_now() + 10min);
  f.vt.advance(TokenPurge::kEvery + 1min);
  purge.reset();
  f.restart();
  purge.emplace(*f.sessions, f.vt, f.vt);

  // The clock steps back to a time the token is valid at.
  set_wall_s(f, issued + 20);
  const auto again = scan_again(f, token);
  CHECK_FALSE(again.admitted);
  CHECK(again.reason == DenialReason::replayed);
  CHECK(f.tracking.sent.size() == 1);
}

TEST_CASE("a token scanned again within a clock skew allowance that a reload raised is replayed, after a purge") {
  AdmissionFixture f;
  replay_check_only(f);
  std::optional<TokenPurge> purge;
  purge.emplace(*f.sessions, f.vt, f.vt);
  const std::int64_t issued = passgate::unix_seconds(f.vt.wall_now());
  const std::string token = token_issued_at(f, issued, 60);
  REQUIRE(f.admit(token, 201).admitted);  // used under a 5 s allowance: its end recorded as exp + 5

  auto raised = f.settings;
  raised.policy.clock_skew = std::chrono::seconds(60);  // the largest the config accepts
  raised.policy.freshness = std::chrono::seconds(300);
  f.admission->reconfigure(raised);
  f.vt.advance(85s);  // exp + 25: past the old allowance, within the new one
  purge.emplace(*f.sessions, f.vt, f.vt);  // a purge now (as at a restart)

  const auto again = scan_again(f, token);
  CHECK_FALSE(again.admitted);
  CHECK(again.reason == DenialReason::replayed);
}

TEST_CASE("a token scanned with the wall clock more than a day behind the gate's records is refused as expired") {
  // After a day of running, ids of tokens that ended a day ago may have been purged: a clock
  // stepped back far enough to accept such a token cannot show it unused.
  AdmissionFixture f;
  replay_check_only(f);
  std::optional<TokenPurge> purge;
  purge.emplace(*f.sessions, f.vt, f.vt);
  const std::int64_t issued = passgate::unix_seconds(f.vt.wall_now());
  const std::string token = token_issued_at(f, issued, 60);
  REQUIRE(f.admit(token, 201).admitted);
  f.vt.advance(25h);  // the purge forgets the token's id
  REQUIRE_FALSE(*f.sessions->token_used(f.sessions->all()->front().token_id));

  set_wall_s(f, issued + 20);
  const auto again = scan_again(f, token);
  CHECK_FALSE(again.admitted);
  CHECK(again.reason == DenialReason::expired);
  CHECK(f.sessions->all()->size() == 1);
  CHECK(f.tracking.sent.size() == 1);

  // A token issued by the issuer's (correct) clock is still admitted by the correct clock.
  f.vt.set_wall(WallTime(std::chrono::seconds(issued + 25 * 3600)));
  CHECK(f.admit(token_issued_at(f, issued + 25 * 3600, 60, "shp_other"), 201).admitted);
}
