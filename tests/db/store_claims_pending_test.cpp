// Migration 23: what the gate owes its store's etcd is written with what makes it owed: the
// admitting commit owes the claims it could not make (and marks the session unverified, counted
// once against the offline cap); a denial that frees the token id owes its release, the end of
// any session its shopper's; nothing while the gate does not coordinate with a store, nothing
// for the purge of used ids. Passages are totalled in and out as they are queued.
#include <catch2/catch.hpp>

#include "db/outbox.hpp"
#include "db/cart_quarantine.hpp"
#include "db/passage_totals.hpp"
#include "db/payment_queue.hpp"
#include "db/settlement_store.hpp"
#include "db/store_claims_pending.hpp"
#include "tests/db/card_attempt_support.hpp"
#include "tests/db/db_test_support.hpp"

using namespace passgate::db;
using namespace passgate::db::test;

namespace {

struct Owed {
  TestDatabase t;
  SessionStore sessions{*t.db};
  StoreClaimsPending owed{*t.db};

  void begin(const std::string& id) { REQUIRE(describe(begin_session(sessions, session(id, "jti-" + id))) == "ok"); }
  std::vector<std::string> rows() {
    std::vector<std::string> out;
    const auto listed = owed.next(100).value();
    for (const auto& r : listed) {
      out.push_back(r.session_id + " " + r.kind + " " + r.claim_id + " " +
                    (r.action == StoreClaimAction::claim ? "claim" : "release"));
    }
    return out;
  }
};

}  // namespace

TEST_CASE("without the store nothing is owed") {
  Owed o;
  o.begin("s1");
  REQUIRE(describe(o.sessions.mark_denied("s1", "offline_limit", true, kNow)) == "ok");
  CHECK(o.rows().empty());
}

TEST_CASE("a denial owes its shopper's release, and its token's when the id is freed; the purge owes nothing") {
  Owed o;
  REQUIRE(describe(o.owed.set_coordinated(true, kNow)) == "ok");
  o.begin("s1");
  o.begin("s2");
  REQUIRE(describe(o.sessions.mark_denied("s1", "offline_limit", true, kNow)) == "ok");
  REQUIRE(describe(o.sessions.mark_denied("s2", "shopper_blocked", false, kNow)) == "ok");
  CHECK(o.rows() == std::vector<std::string>{"s1 shopper shp_8f2c release", "s1 token jti-s1 release",
                                             "s2 shopper shp_8f2c release"});
  const auto listed = o.owed.next(100).value();
  for (const auto& r : listed) REQUIRE(describe(o.owed.done(r)) == "ok");
  // A day and more after the tokens ended their ids are forgotten: no release.
  const auto purged = o.sessions.purge_used_tokens(1'795'000'120 + kUsedTokenRetentionS + 10);
  REQUIRE(purged.ok());
  CHECK(purged->forgotten == 1);
  CHECK(o.rows().empty());
}

TEST_CASE("an admission without the store's answer owes its claims, counted once as unverified; its end a release") {
  Owed o;
  REQUIRE(describe(o.owed.set_coordinated(true, kNow)) == "ok");
  o.begin("s1");
  o.begin("s2");
  REQUIRE(describe(o.sessions.mark_open("s1", StoreUnclaimed{true, true})) == "ok");
  const OutboxMessage open{.kind = "session_open", .target = "/v1/sessions", .body = "{}", .session_id = "s2"};
  REQUIRE(describe(o.sessions.mark_open_offline("s2", open, kNow, StoreUnclaimed{true, false})) == "ok");
  CHECK(o.rows() == std::vector<std::string>{"s1 token jti-s1 claim", "s1 shopper shp_8f2c claim",
                                             "s2 token jti-s2 claim"});
  CHECK(o.sessions.offline_admissions_since(0).value() == 2);  // s2 offline and unverified: once
  const auto claims = o.owed.next(100).value();
  // s1 is cancelled before its shopper was claimed: its claim becomes a release (it may have
  // landed), and finishing the claim read earlier leaves the release.
  const OutboxMessage cancel{.kind = "cancel", .target = "/t", .body = "{}", .session_id = "s1"};
  REQUIRE(describe(o.sessions.mark_cancelled("s1", cancel, kNow)) == "ok");
  REQUIRE(describe(o.owed.done(claims[1])) == "ok");
  CHECK(o.rows() == std::vector<std::string>{"s1 token jti-s1 claim", "s2 token jti-s2 claim",
                                             "s1 shopper shp_8f2c release"});
  REQUIRE(describe(o.owed.double_use(claims[0], "gate north session x", kNow)) == "ok");
  const auto summary = o.owed.summary(kNow - 1).value();
  CHECK(summary.claims == 1);
  CHECK(summary.releases == 1);
  CHECK(summary.double_uses == 1);
  // The list survives a restart.
  o.t.reopen();
  CHECK(StoreClaimsPending(*o.t.db).next(100).value().size() == 2);
}

TEST_CASE("passages are totalled in and out as they are queued, by their direction") {
  TestDatabase t;
  Outbox outbox(*t.db);
  for (const char* direction : {"in", "in", "out", "in"}) {
    const std::string body = std::string(R"({"passage_id":"p","direction":")") + direction + R"(","kind":"exit"})";
    REQUIRE(describe(outbox.enqueue(OutboxMessage{"passage", "/v1/passages", body, ""}, kNow)) == "ok");
  }
  // A body that is not JSON (as some tests queue) is still queued, counted nowhere.
  REQUIRE(describe(outbox.enqueue(OutboxMessage{"passage", "/v1/passages", "not json", ""}, kNow)) == "ok");
  const auto totals = read_passage_totals(*t.db);
  REQUIRE(totals.ok());
  CHECK(totals->in == 3);
  CHECK(totals->out == 1);
}

TEST_CASE("the database has one random instance id, kept; it knows which of its sessions are live (H1)") {
  Owed o;
  const auto id = o.owed.instance_id();
  REQUIRE(id.ok());
  CHECK(id->size() == 32);
  CHECK(o.owed.instance_id().value() == *id);
  TestDatabase other;
  CHECK(StoreClaimsPending(*other.db).instance_id().value() != *id);
  o.begin("s1");
  o.begin("s2");
  CHECK(o.owed.session_fate("s1").value() == SessionFate::live);
  REQUIRE(describe(o.sessions.mark_denied("s2", "offline_limit", true, kNow)) == "ok");
  CHECK(o.owed.session_fate("s2").value() == SessionFate::ended);
  CHECK(o.owed.session_fate("never-here").value() == SessionFate::unknown);
}

TEST_CASE("a token double use holds the session's charge: its cart quarantined now or when it comes (M3)") {
  Owed o;
  REQUIRE(describe(o.owed.set_coordinated(true, kNow)) == "ok");
  for (const char* id : {"s1", "s2", "s3", "s4"}) o.begin(id);
  SettlementStore settlement(*o.t.db);
  REQUIRE(settlement.record_carts("carts", {FinalCart{"s2", "EUR", 1250, "t2"}, FinalCart{"s3", "EUR", 80, "t3"}}, {},
                                  "c1", kNow)
              .ok());
  o.t.db->sql().exec("UPDATE sessions SET settled = 1 WHERE session_id = 's3'");  // its charge planned
  const auto found = [&](const std::string& session, const std::string& kind) {
    return o.owed.double_use(PendingStoreClaim{0, session, kind, "id-" + session, StoreClaimAction::claim, 0, 0},
                             "gate south session x", kNow)
        .value();
  };
  CHECK(found("s1", "token") == DoubleUseCart::awaited);
  CHECK(found("s2", "token") == DoubleUseCart::quarantined);
  CHECK(found("s3", "token") == DoubleUseCart::settled);
  CHECK(found("s4", "shopper") == DoubleUseCart::none);
  // s2's cart left `carts` for the quarantine; s1's is quarantined as it comes; s4's is charged.
  CHECK_FALSE(settlement.cart("s2").value());
  REQUIRE(settlement.record_carts("carts", {FinalCart{"s1", "EUR", 990, "t1"}, FinalCart{"s4", "EUR", 5, "t4"}}, {},
                                  "c2", kNow)
              .ok());
  CHECK_FALSE(settlement.cart("s1").value());
  CHECK(settlement.cart("s4").value());
  CHECK(settlement.cart("s3").value());  // already settled: nothing undone
  const auto held = CartQuarantine(*o.t.db).open(0).value();
  REQUIRE(held.size() == 2);
  for (const auto& r : held) {
    CHECK(r.cart.reason == QuarantineReason::double_use);
    CHECK_THAT(r.cart.detail, Catch::Matchers::StartsWith(std::string(kDoubleUseDetail)));
  }
  CHECK(held[0].cart.session_id == "s2");
  CHECK_THAT(held[0].cart.detail, Catch::Matchers::Contains("its cart of 1250 EUR (minor units) is not charged"));
  CHECK(held[1].cart.session_id == "s1");
  CHECK(o.t.db->sql().execAndGet("SELECT group_concat(cart, ',') FROM store_double_uses").getString() ==
        "awaited,quarantined,settled,");
}

TEST_CASE("a double use's cart is never charged through a quarantine of another reason (B-M1)") {
  Owed o;
  for (const char* id : {"s1", "s2", "s3"}) o.begin(id);
  SettlementStore settlement(*o.t.db);
  CartQuarantine quarantine(*o.t.db);
  const auto found = [&](const std::string& session) {
    return o.owed.double_use(PendingStoreClaim{0, session, "token", "id-" + session, StoreClaimAction::claim, 0, 0},
                             "gate south session x", kNow)
        .value();
  };
  const auto row_of = [&](const std::string& session) {
    return o.t.db->sql().execAndGet("SELECT id FROM quarantined_carts WHERE session_id = '" + session + "'").getInt64();
  };
  const auto over_limit = [](const std::string& session) {
    return QuarantinedCart{session, QuarantineReason::over_limit, "above max_cart_minor", "{}", "t-" + session};
  };
  // 1. The double use is found first; the feed then quarantines the cart as over_limit.
  CHECK(found("s1") == DoubleUseCart::awaited);
  REQUIRE(settlement.record_carts("carts", {}, {over_limit("s1")}, "c1", kNow).ok());
  // 2. The cart is quarantined over_limit first; the double use is found after.
  REQUIRE(settlement.record_carts("carts", {}, {over_limit("s2")}, "c2", kNow).ok());
  CHECK(found("s2") == DoubleUseCart::quarantined);
  for (const char* session : {"s1", "s2"}) {
    const auto r = quarantine.find(row_of(session)).value();
    REQUIRE(r);
    CHECK(r->cart.reason == QuarantineReason::double_use);
    CHECK(r->state == QuarantineState::open);
    CHECK_THAT(r->cart.detail, Catch::Matchers::StartsWith(std::string(kDoubleUseDetail)));
    CHECK_THAT(r->cart.detail, Catch::Matchers::Contains("quarantined first as over_limit: above max_cart_minor"));
  }
  // 3. An operator charged the over_limit cart after correction; the double use is found before
  // the planner settled it: the corrected cart goes back to its row, open, as a double use.
  REQUIRE(settlement.record_carts("carts", {}, {over_limit("s3")}, "c3", kNow).ok());
  REQUIRE(describe(quarantine.charge(row_of("s3"), "EUR", 700, "re-priced", AuditActor{"alice"}, kNow)) == "ok");
  REQUIRE(settlement.cart("s3").value());
  CHECK(found("s3") == DoubleUseCart::quarantined);
  CHECK_FALSE(settlement.cart("s3").value());
  const auto candidates = settlement.candidates(10).value();
  for (const auto& c : candidates) CHECK(c.session_id != "s3");
  const auto r3 = quarantine.find(row_of("s3")).value();
  REQUIRE(r3);
  CHECK(r3->state == QuarantineState::open);
  CHECK(r3->cart.reason == QuarantineReason::double_use);
  CHECK_THAT(r3->cart.detail, Catch::Matchers::Contains("its cart of 700 EUR (minor units) is not charged"));
  CHECK_THAT(r3->cart.detail, Catch::Matchers::Contains("quarantined first as over_limit (charged by alice)"));
  // The reopened row keeps the cart as the tracking engine sent it; the gate's undoing of the
  // operator's charge is in the audit log (C-L3).
  CHECK(r3->cart.raw == "{}");
  CHECK(o.t.db->sql()
            .execAndGet("SELECT actor || ' ' || action || ' ' || quarantined_cart_id FROM audit_log"
                        " ORDER BY id DESC LIMIT 1")
            .getString() == "passgated reopen_cart " + std::to_string(row_of("s3")));
  // Charging it again is the deliberate decision: only with the double use confirmed.
  CHECK(quarantine.charge(row_of("s3"), "EUR", 700, "owner shopped", AuditActor{"alice"}, kNow).error().code ==
        "double_use");
  REQUIRE(describe(quarantine.charge(row_of("s3"), "EUR", 700, "owner shopped", AuditActor{"alice"}, kNow,
                                     CartQuarantine::DoubleUse::confirmed)) == "ok");
}

TEST_CASE("a double use's cart is charged only with the double use confirmed, whatever its row says (B-M1, C-L2)") {
  Owed o;
  o.begin("s1");
  o.begin("s2");
  SettlementStore settlement(*o.t.db);
  CartQuarantine quarantine(*o.t.db);
  // A row left over_limit by an older version while its session is marked a double use
  // (migration 27 relabels such rows; the refusal does not depend on the label).
  REQUIRE(settlement.record_carts("carts", {}, {QuarantinedCart{"s1", QuarantineReason::over_limit, "big", "{}", "t"}},
                                  "c1", kNow)
              .ok());
  o.t.db->sql().exec("UPDATE sessions SET double_use = 1 WHERE session_id = 's1'");
  const auto id = o.t.db->sql().execAndGet("SELECT id FROM quarantined_carts").getInt64();
  // Asked twice (a lost reply, a script repeating a listing's ids), it is refused twice, and
  // nothing is written.
  for (int attempt = 0; attempt < 2; ++attempt) {
    const auto refused = quarantine.charge(id, "EUR", 700, "re-priced", AuditActor{"alice"}, kNow);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().code == "double_use");
    CHECK_THAT(refused.error().message, Catch::Matchers::Contains("add --double-use"));
  }
  CHECK_FALSE(settlement.cart("s1").value());
  CHECK(quarantine.find(id).value()->cart.reason == QuarantineReason::over_limit);
  CHECK(quarantine.find(id).value()->state == QuarantineState::open);
  // Confirmed, it is charged, relabelled, and the audit row says so.
  REQUIRE(describe(quarantine.charge(id, "EUR", 700, "owner shopped", AuditActor{"alice"}, kNow,
                                     CartQuarantine::DoubleUse::confirmed)) == "ok");
  CHECK(settlement.cart("s1").value());
  CHECK(quarantine.find(id).value()->cart.reason == QuarantineReason::double_use);
  CHECK_THAT(o.t.db->sql().execAndGet("SELECT detail FROM audit_log WHERE action = 'charge_cart'").getString(),
             Catch::Matchers::Contains("after correction (double use confirmed): owner shopped"));
  // A confirmation for a session that is no double use is a mistake, refused.
  REQUIRE(settlement.record_carts("carts", {}, {QuarantinedCart{"s2", QuarantineReason::over_limit, "big", "{}", "t"}},
                                  "c2", kNow)
              .ok());
  const auto id2 = o.t.db->sql().execAndGet("SELECT id FROM quarantined_carts WHERE session_id = 's2'").getInt64();
  const auto mistaken =
      quarantine.charge(id2, "EUR", 700, "re-priced", AuditActor{"alice"}, kNow, CartQuarantine::DoubleUse::confirmed);
  REQUIRE_FALSE(mistaken.ok());
  CHECK(mistaken.error().code == "invalid_argument");
  CHECK_FALSE(settlement.cart("s2").value());
}

TEST_CASE("a double use's cart found in carts is never planned until an operator confirmed it (C-L1 backstop)") {
  Owed o;
  o.begin("s1");
  SettlementStore settlement(*o.t.db);
  REQUIRE(settlement.record_carts("carts", {FinalCart{"s1", "EUR", 990, "t1"}}, {}, "c1", kNow).ok());
  REQUIRE(settlement.candidates(10).value().size() == 1);
  // Marked a double use by a path that did not move its cart (none does today; an older
  // version could): the planner leaves it.
  o.t.db->sql().exec("UPDATE sessions SET double_use = 1 WHERE session_id = 's1'");
  CHECK(settlement.candidates(10).value().empty());
  o.t.db->sql().exec(
      "INSERT INTO quarantined_carts (session_id, reason, detail, raw, received_at_ms, state, settled_by)"
      " VALUES ('s1', 'double_use', 'd', '{}', 1, 'charged', 'alice')");
  CHECK(settlement.candidates(10).value().size() == 1);
}

TEST_CASE("an unverified admission's cart waits for its token's claim; a double use's charge is not retried (B-M2)") {
  Owed o;
  REQUIRE(describe(o.owed.set_coordinated(true, kNow)) == "ok");
  o.begin("s1");
  o.t.db->sql().exec("BEGIN");
  StoreClaimsPending::owe_claims_within(*o.t.db, "s1", StoreUnclaimed{true, false});
  o.t.db->sql().exec("COMMIT");
  SettlementStore settlement(*o.t.db);
  REQUIRE(settlement.record_carts("carts", {FinalCart{"s1", "EUR", 990, "t1"}}, {}, "c1", kNow).ok());
  CHECK(settlement.candidates(10).value().empty());
  CHECK(settlement.candidates(10, kNow / 1000).value().empty());
  // However long the claim stays owed (the store section removed, etcd down for days), the cart
  // waits no longer than kClaimWaitMaxS after its token (C-M1).
  const std::int64_t token_exp_s = 1'795'000'120;
  CHECK(settlement.candidates(10, token_exp_s + SettlementStore::kClaimWaitMaxS).value().empty());
  CHECK(settlement.candidates(10, token_exp_s + SettlementStore::kClaimWaitMaxS + 1).value().size() == 1);
  // The claim confirmed (or dropped as unchecked after the day): the cart is planned.
  const auto owed = o.owed.next(10).value();
  for (const auto& row : owed)
    if (row.kind == "token" && row.action == StoreClaimAction::claim) REQUIRE(describe(o.owed.done(row)) == "ok");
  const auto planned = settlement.candidates(10).value();
  REQUIRE(planned.size() == 1);
  CHECK(planned[0].session_id == "s1");
  // A dead charge of a session later found a double use is not sent again by an operator.
  PaymentQueue queue(*o.t.db);
  NewPaymentOp op;
  op.session_id = "s1";
  op.op = "charge";
  op.amount_minor = 990;
  op.currency = "EUR";
  const auto charge = PaymentQueue::insert(*o.t.db, op, kNow);
  o.t.db->sql().exec("UPDATE payment_ops SET state = 'dead' WHERE id = " + std::to_string(charge));
  o.t.db->sql().exec("UPDATE sessions SET double_use = 1 WHERE session_id = 's1'");
  const auto retried = queue.retry(charge, AuditActor{"alice"}, kNow);
  REQUIRE_FALSE(retried.ok());
  CHECK(retried.error().code == "double_use");
  CHECK(o.t.db->sql().execAndGet("SELECT state FROM payment_ops WHERE id = " + std::to_string(charge)).getString() ==
        "dead");
  // Nor a dead capture of its hold: it moves the same money (C-L4a).
  op.op = "capture";
  const auto capture = PaymentQueue::insert(*o.t.db, op, kNow);
  o.t.db->sql().exec("UPDATE payment_ops SET state = 'dead' WHERE id = " + std::to_string(capture));
  const auto capture_retried = queue.retry(capture, AuditActor{"alice"}, kNow);
  REQUIRE_FALSE(capture_retried.ok());
  CHECK(capture_retried.error().code == "double_use");
  // Once an operator confirmed charging the double use's cart, its money may be sent again
  // (C-L4b): the decision was deliberate.
  o.t.db->sql().exec(
      "INSERT INTO quarantined_carts (session_id, reason, detail, raw, received_at_ms, state, settled_by)"
      " VALUES ('s1', 'double_use', 'd', '{}', 1, 'charged', 'alice')");
  CHECK(describe(queue.retry(charge, AuditActor{"alice"}, kNow)) == "ok");
}

TEST_CASE("a card-tap session owes nothing to the store: no claim, no release of its card: ids (L1)") {
  Owed o;
  REQUIRE(describe(o.owed.set_coordinated(true, kNow)) == "ok");
  CardAttemptStore attempts(*o.t.db);
  REQUIRE(describe(attempts.arm(new_attempt("c1", 1), kNow)) == "ok");
  o.begin("c1");
  REQUIRE(describe(o.sessions.mark_denied("c1", "offline_limit", true, kNow)) == "ok");
  // An app session beside it still owes its releases.
  o.begin("s1");
  REQUIRE(describe(o.sessions.mark_denied("s1", "offline_limit", true, kNow)) == "ok");
  CHECK(o.rows() == std::vector<std::string>{"s1 shopper shp_8f2c release", "s1 token jti-s1 release"});
  o.t.db->sql().exec("BEGIN");
  StoreClaimsPending::owe_claims_within(*o.t.db, "c1", StoreUnclaimed{true, true});
  o.t.db->sql().exec("COMMIT");
  CHECK(o.rows().size() == 2);
}

TEST_CASE("a row the store failed again and again goes after the others: it never blocks the list (L4)") {
  Owed o;
  REQUIRE(describe(o.owed.set_coordinated(true, kNow)) == "ok");
  o.begin("s1");
  o.begin("s2");
  REQUIRE(describe(o.sessions.mark_denied("s1", "offline_limit", false, kNow)) == "ok");
  REQUIRE(describe(o.sessions.mark_denied("s2", "offline_limit", false, kNow)) == "ok");
  CHECK(o.rows() == std::vector<std::string>{"s1 shopper shp_8f2c release", "s2 shopper shp_8f2c release"});
  const auto first = o.owed.next(1).value().front();
  for (int i = 0; i < StoreClaimsPending::kStuckAttempts - 1; ++i) {
    REQUIRE(describe(o.owed.failed(first, "etcd refused")) == "ok");
  }
  CHECK(o.owed.next(1).value().front().session_id == "s1");
  REQUIRE(describe(o.owed.failed(first, "etcd refused")) == "ok");
  CHECK(o.rows() == std::vector<std::string>{"s2 shopper shp_8f2c release", "s1 shopper shp_8f2c release"});
}

TEST_CASE("a session begun under [store] owes its releases after [store] is removed; one begun without, none (L3)") {
  Owed o;
  REQUIRE(describe(o.owed.set_coordinated(true, kNow)) == "ok");
  o.begin("s1");
  REQUIRE(describe(o.owed.set_coordinated(false, kNow)) == "ok");  // a restart without [store]
  o.begin("s2");
  REQUIRE(describe(o.sessions.mark_denied("s1", "offline_limit", true, kNow)) == "ok");
  REQUIRE(describe(o.sessions.mark_denied("s2", "offline_limit", true, kNow)) == "ok");
  CHECK(o.rows() == std::vector<std::string>{"s1 shopper shp_8f2c release", "s1 token jti-s1 release"});
}
