// The entry path from a scanned token to a committed session, with a real database and
// key set, and a tracking engine the test answers: online, blocked, unreachable under
// both offline policies, replays across restarts.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "tests/admission/admission_fixture.hpp"

using passgate::DenialReason;
using passgate::controller::OfflinePolicy;
using passgate::db::SessionState;
using passgate::sim::TokenFlaw;
using passgate::test::AdmissionFixture;

TEST_CASE("a valid token with the engine up opens a session, committed before the answer") {
  AdmissionFixture f;
  const auto r = f.admit(f.token(TokenFlaw::none, 2), 201);
  REQUIRE(r.admitted);
  CHECK(r.people == 2);
  CHECK_FALSE(r.offline);
  auto s = f.sessions->find(r.session_id);
  REQUIRE(s.ok());
  REQUIRE(s.value().has_value());
  CHECK(s.value()->state == SessionState::open);
  CHECK(s.value()->group_size == 2);

  const auto body = nlohmann::json::parse(f.tracking.sent.at(0).second);
  CHECK(body["session_id"] == r.session_id);
  CHECK(body["store_id"] == "store-0042");
  CHECK(body["gate_id"] == "gate-a");
  CHECK(body["lane"] == 1);
  CHECK(body["shopper"] == "shp_test");
  CHECK(body["group_size"] == 2);
  CHECK(body["token_id"].get<std::string>().size() >= 16);
  CHECK(body["admitted_at"].get<std::string>().back() == 'Z');
  CHECK(f.outbox_size() == 0);
}

TEST_CASE("the group is capped by the lane's limit") {
  AdmissionFixture f;
  const auto r = f.admit(f.token(TokenFlaw::none, 9), 201, 3);
  REQUIRE(r.admitted);
  CHECK(r.people == 3);
}

TEST_CASE("a bad token is denied with its reason without asking the engine or writing anything") {
  AdmissionFixture f;
  const auto [flaw, reason] = GENERATE(table<TokenFlaw, DenialReason>({
      {TokenFlaw::forged, DenialReason::bad_signature},
      {TokenFlaw::expired, DenialReason::expired},
      {TokenFlaw::not_yet_valid, DenialReason::not_yet_valid},
      {TokenFlaw::stale, DenialReason::stale},
      {TokenFlaw::wrong_issuer, DenialReason::wrong_issuer},
      {TokenFlaw::wrong_audience, DenialReason::wrong_audience},
      {TokenFlaw::unknown_key, DenialReason::unknown_key},
      {TokenFlaw::unsupported_alg, DenialReason::unsupported_alg},
      {TokenFlaw::malformed, DenialReason::malformed},
      {TokenFlaw::bad_claims, DenialReason::bad_claims},
  }));
  const auto r = f.admit(f.token(flaw), std::nullopt);
  CHECK_FALSE(r.admitted);
  CHECK(r.reason == reason);
  CHECK(f.tracking.sent.empty());
  CHECK(f.sessions->all().value().empty());
}

TEST_CASE("a token admits once: a replay is refused, also after a restart") {
  AdmissionFixture f;
  const auto t = f.token();
  REQUIRE(f.admit(t, 201).admitted);
  const auto again = f.admit(t, std::nullopt);
  CHECK_FALSE(again.admitted);
  CHECK(again.reason == DenialReason::replayed);

  f.restart();
  const auto after_restart = f.admit(t, std::nullopt);
  CHECK_FALSE(after_restart.admitted);
  CHECK(after_restart.reason == DenialReason::replayed);
  CHECK(f.tracking.sent.size() == 1);
}

TEST_CASE("a second scan of a token whose first scan is still waiting for the engine is a replay") {
  AdmissionFixture f;
  const auto t = f.token();
  std::optional<passgate::controller::AdmissionResult> first;
  f.admission->request(1, 4, t, [&](auto r) { first = r; });
  const auto second = f.admit(t, std::nullopt);
  CHECK(second.reason == DenialReason::replayed);
  f.tracking.reply(201);
  f.vt.run_ready();
  REQUIRE(first.has_value());
  CHECK(first->admitted);
}

TEST_CASE("the engine refusing the shopper denies shopper_blocked and keeps the token used") {
  AdmissionFixture f;
  const auto t = f.token();
  const auto r = f.admit(t, 403);
  CHECK_FALSE(r.admitted);
  CHECK(r.reason == DenialReason::shopper_blocked);
  const auto all = f.sessions->all().value();
  REQUIRE(all.size() == 1);
  CHECK(all[0].state == SessionState::denied);
  CHECK(f.admit(t, std::nullopt).reason == DenialReason::replayed);
}

TEST_CASE("a 409 from the engine is a gate bug: denied, never admitted") {
  AdmissionFixture f;
  const auto r = f.admit(f.token(), 409);
  CHECK_FALSE(r.admitted);
  CHECK(r.reason == DenialReason::lane_unavailable);
}

TEST_CASE("engine unreachable with policy deny: lane_unavailable, and the shopper may retry the same code") {
  AdmissionFixture f(OfflinePolicy::deny);
  const auto t = f.token();
  const int status = GENERATE(0, 500, 503, 418);
  int ended = 0;
  f.admission->set_on_session_ended([&ended] { ++ended; });
  const auto r = f.admit(t, status);
  CHECK_FALSE(r.admitted);
  CHECK(r.reason == DenialReason::lane_unavailable);
  CHECK(ended == 1);  // the settlement planner is asked to run (a hold would be voided)
  const auto all = f.sessions->all().value();
  REQUIRE(all.size() == 1);
  CHECK(all[0].state == SessionState::denied);
  if (status == 418) {
    // An answer the engine gave (a 4xx the contract does not name): it did not create the
    // session, nothing to cancel.
    CHECK(f.outbox_size() == 0);
    CHECK(f.admit(t, 201).admitted);
    return;
  }
  // The engine may have created the session before its answer was lost: the open request and
  // then a cancel are queued, so it ends cancelled there and is never billed.
  CHECK(f.outbox_size() == 2);
  REQUIRE(f.tracking.calls.size() == 1);  // the outbox sends them in order
  CHECK(f.tracking.calls.front().target == "/v1/sessions");
  CHECK(f.tracking.calls.front().body == all[0].open_request);
  f.tracking.reply(201);
  f.vt.run_ready();
  REQUIRE(f.tracking.calls.size() == 1);
  CHECK(f.tracking.calls.front().target == "/v1/sessions/" + all[0].session_id + "/cancel");
  f.tracking.reply(200);
  f.vt.run_ready();
  CHECK(f.outbox_size() == 0);
  const auto retry = f.admit(t, 201);
  CHECK(retry.admitted);
}

TEST_CASE("engine unreachable with policy admit: admitted offline within the hourly cap, open request queued") {
  AdmissionFixture f(OfflinePolicy::admit, 2);
  const auto a = f.admit(f.token_of("shp_a"), 0);
  const auto b = f.admit(f.token_of("shp_b"), 503);
  REQUIRE(a.admitted);
  REQUIRE(b.admitted);
  CHECK(a.offline);
  CHECK(f.sessions->find(a.session_id).value()->state == SessionState::open_offline);
  const auto c = f.admit(f.token_of("shp_c"), 0);
  CHECK_FALSE(c.admitted);
  CHECK(c.reason == DenialReason::offline_limit);

  // An hour later the cap has room again.
  f.vt.advance(std::chrono::minutes(61));
  f.tracking.calls.clear();
  CHECK(f.admit(f.token_of("shp_d"), 0).admitted);
}

TEST_CASE("an offline session reaches the engine once it is back, with the same body") {
  AdmissionFixture f(OfflinePolicy::admit, 5);
  const auto r = f.admit(f.token(), 0);
  REQUIRE(r.admitted);
  const auto original = f.tracking.sent.at(0).second;
  // The outbox sender tried at once and is now waiting in backoff.
  REQUIRE(f.tracking.calls.size() == 1);
  CHECK(f.tracking.calls.front().body == original);
  f.tracking.reply(0);
  f.vt.run_ready();
  CHECK(f.outbox_size() == 1);
  f.vt.advance(std::chrono::minutes(1));
  REQUIRE(f.tracking.calls.size() == 1);
  CHECK(f.tracking.calls.front().target == "/v1/sessions");
  CHECK(f.tracking.calls.front().body == original);
  f.tracking.reply(201);
  f.vt.run_ready();
  CHECK(f.outbox_size() == 0);
}
