// Anti-passback: a shopper whose session is still open at this store is not admitted again
// ("hard": denied already_inside, the token left usable), or admitted with a warning
// ("soft"), or not checked ("off"). The session ends with its cancel, final cart or
// settlement.
#include <catch2/catch.hpp>

#include <SQLiteCpp/SQLiteCpp.h>

#include "db/settlement_store.hpp"
#include "tests/admission/admission_fixture.hpp"

using passgate::DenialReason;
using passgate::controller::AntiPassback;
using passgate::db::SessionState;
using passgate::test::AdmissionFixture;

TEST_CASE("hard anti-passback denies a shopper already inside, without asking the engine") {
  AdmissionFixture f;  // "hard" is the default
  const auto first = f.admit(f.token_of("shp_ann"), 201);
  REQUIRE(first.admitted);
  const auto second_token = f.token_of("shp_ann");
  const auto second = f.admit(second_token, std::nullopt);
  CHECK_FALSE(second.admitted);
  CHECK(second.reason == DenialReason::already_inside);
  CHECK(f.tracking.sent.size() == 1);
  const auto all = f.sessions->all().value();
  REQUIRE(all.size() == 2);
  CHECK(all[1].state == SessionState::denied);
  CHECK(all[1].denial_reason == "already_inside");

  // Another shopper is not affected.
  CHECK(f.admit(f.token_of("shp_bob"), 201).admitted);

  // Once the first session has ended, the same (still unused) token admits.
  const passgate::db::OutboxMessage cancel{.kind = "cancel", .target = "/t", .body = "{}", .session_id = first.session_id};
  REQUIRE(f.sessions->mark_cancelled(first.session_id, cancel, 0).ok());
  CHECK(f.admit(second_token, 201).admitted);
}

TEST_CASE("a shopper is inside from the scan on: a second scan while the first is still opening is denied") {
  AdmissionFixture f;
  std::optional<passgate::controller::AdmissionResult> first;
  f.admission->request(1, 4, f.token_of("shp_ann"), [&](auto r) { first = r; });
  const auto second = f.admit(f.token_of("shp_ann"), std::nullopt);
  CHECK(second.reason == DenialReason::already_inside);
  f.tracking.reply(201);
  f.vt.run_ready();
  REQUIRE(first.has_value());
  CHECK(first->admitted);
}

TEST_CASE("a final cart ends the session: the shopper may come in again") {
  AdmissionFixture f;
  const auto first = f.admit(f.token_of("shp_ann"), 201);
  REQUIRE(first.admitted);
  passgate::db::SettlementStore settlement(*f.database);
  REQUIRE(settlement
              .record_carts("carts", {passgate::db::FinalCart{first.session_id, "USD", 0, "2026-11-21T18:21:40.002Z"}},
                            {}, "c1", 0)
              .ok());
  CHECK(f.admit(f.token_of("shp_ann"), 201).admitted);
}

TEST_CASE("a quarantined final cart ends the session too: the shopper may come in again") {
  AdmissionFixture f;
  const auto first = f.admit(f.token_of("shp_ann"), 201);
  REQUIRE(first.admitted);
  passgate::db::SettlementStore settlement(*f.database);
  const passgate::db::QuarantinedCart cart{first.session_id, passgate::db::QuarantineReason::currency,
                                           "currency EUR is not the gate's currency USD", "{}", ""};
  REQUIRE(settlement.record_carts("carts", {}, {cart}, "c1", 0).ok());
  CHECK(f.admit(f.token_of("shp_ann"), 201).admitted);
}

TEST_CASE("a replayed token of a shopper inside is still a replay") {
  AdmissionFixture f;
  const auto t = f.token_of("shp_ann");
  REQUIRE(f.admit(t, 201).admitted);
  CHECK(f.admit(t, std::nullopt).reason == DenialReason::replayed);
}

TEST_CASE("soft anti-passback admits the shopper again, off does not look") {
  const AntiPassback mode = GENERATE(AntiPassback::soft, AntiPassback::off);
  AdmissionFixture f;
  f.settings.anti_passback = mode;
  f.restart();
  REQUIRE(f.admit(f.token_of("shp_ann"), 201).admitted);
  const auto again = f.admit(f.token_of("shp_ann"), 201);
  CHECK(again.admitted);
  CHECK(f.sessions->in_state(SessionState::open).value().size() == 2);
}

TEST_CASE("a denial the database refused is written again later, so the shopper is not kept out") {
  AdmissionFixture f;
  f.database->sql().exec(
      "CREATE TRIGGER disk_full BEFORE UPDATE OF state ON sessions WHEN NEW.state = 'denied'"
      " BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END");
  const auto refused = f.admit(f.token_of("shp_ann"), 403);
  CHECK(refused.reason == DenialReason::shopper_blocked);
  auto all = f.sessions->all().value();
  REQUIRE(all.size() == 1);
  CHECK(all[0].state == SessionState::opening);  // not recorded yet
  // Meanwhile the unrecorded denial counts as inside (hard anti-passback), as an opening session does.
  CHECK(f.admit(f.token_of("shp_ann"), std::nullopt).reason == DenialReason::already_inside);

  // Still full at the first retry: tried again later, not given up.
  f.vt.advance(passgate::controller::AdmissionService::kDenialRetryFirst);
  f.vt.run_ready();
  CHECK(f.sessions->all().value()[0].state == SessionState::opening);

  f.database->sql().exec("DROP TRIGGER disk_full");
  f.vt.advance(2 * passgate::controller::AdmissionService::kDenialRetryFirst);
  f.vt.run_ready();
  all = f.sessions->all().value();
  CHECK(all[0].state == SessionState::denied);
  CHECK(all[0].denial_reason == "shopper_blocked");
  CHECK(f.admit(f.token_of("shp_ann"), 201).admitted);
}
