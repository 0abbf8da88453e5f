// Migrations 18 and 20: a card is one blocklist row whichever of its sessions left a remainder
// unpaid; paying or writing off one session's remainder lifts it only when no other session of
// the same card still owes one (the entry names that session instead). Whatever the order in
// which a partially paid session's dead letters are settled, settling the last one lifts the
// entry or hands it on. Over a database upgraded from an older version and a new one alike.
#include <catch2/catch.hpp>

#include <string>
#include <tuple>
#include <vector>

#include <SQLiteCpp/SQLiteCpp.h>

#include "db/card_attempt_store.hpp"
#include "db/card_blocklist.hpp"
#include "db/card_settlement_store.hpp"
#include "db/migrations.hpp"
#include "tests/db/card_attempt_support.hpp"
#include "tests/db/db_test_support.hpp"
#include "tests/support/temp_dir.hpp"

using namespace passgate::db;
using namespace passgate::db::test;

namespace {

// Settles card session `sid` with 15.00 EUR of it unpaid (`suffix`: its remainder's key
// suffix); the remainder's id.
std::int64_t leave_unpaid(Database& db, const CardCrypto& c, const std::string& sid, const std::string& fingerprint,
                          const std::string& suffix = "remainder") {
  CardSettlementStore store(db);
  SettlementDecision decision;
  decision.session_id = sid;
  decision.plan = "card:capture+unpaid";
  decision.total_minor = 4500;
  decision.hold_minor = 3000;
  decision.from_cart = true;
  NewPaymentOp rest;
  rest.session_id = sid;
  rest.op = "charge";
  rest.amount_minor = 1500;
  rest.currency = "EUR";
  rest.key_suffix = suffix;
  auto ids = store.settle(decision, {}, UnpaidRemainder{rest, "partially paid", c.hash(fingerprint)}, kNow);
  REQUIRE(describe(ids) == "ok");
  return ids->back();
}

std::optional<BlockedCard> entry(Database& db, const CardCrypto& c, const std::string& fingerprint) {
  auto found = CardBlocklist(db).find({c.hash(fingerprint)});
  REQUIRE(describe(found) == "ok");
  return *found;
}

void write_off(Database& db, std::int64_t id) {
  REQUIRE(describe(PaymentQueue(db).write_off(id, "paid at the desk", AuditActor{"alice"}, kNow + 10)) == "ok");
}

// Session `sid`'s `op` (capture, void) of its hold, a dead letter (refused, left as
// answered); its id.
std::int64_t dead_on_hold(Database& db, const std::string& sid, const std::string& op = "capture") {
  PaymentQueue queue(db);
  NewPaymentOp on_hold;
  on_hold.session_id = sid;
  on_hold.op = op;
  on_hold.amount_minor = op == "void" ? 0 : 3000;
  on_hold.currency = "EUR";
  on_hold.intent_id = "pi_" + sid;
  auto id = queue.enqueue(on_hold, kNow);
  REQUIRE(describe(id) == "ok");
  REQUIRE(describe(queue.mark_in_flight(*id, kNow + 1)) == "ok");
  REQUIRE(describe(queue.mark_dead(*id, "HTTP 400: the authorization expired", kNow + 2)) == "ok");
  return *id;
}

std::int64_t dead_capture(Database& db, const std::string& sid) { return dead_on_hold(db, sid); }

void admit_cards(Database& db, const CardCrypto& c, const std::vector<std::tuple<const char*, int, const char*>>& cards) {
  CardAttemptStore attempts(db);
  for (const auto& [sid, lane, fingerprint] : cards) {
    drive_to_held(attempts, c, sid, lane, fingerprint);
    REQUIRE(describe(attempts.admit(sid, card_session(sid, lane, c.hash(fingerprint)), kNow + 3, false)) == "ok");
  }
}

}  // namespace

TEST_CASE("card blocklist: paying one session's remainder keeps the card listed while another session of it owes one") {
  TestDatabase t;
  const CardCrypto c = CardCrypto::make();
  CardAttemptStore attempts(*t.db);
  // Two sessions of the same card (the second admitted after the first had ended), and one of another.
  for (const auto& [sid, lane, fingerprint] : {std::tuple{"a", 1, "fp"}, {"b", 2, "fp"}, {"x", 3, "fp-other"}}) {
    drive_to_held(attempts, c, sid, lane, fingerprint);
    REQUIRE(describe(attempts.admit(sid, card_session(sid, lane, c.hash(fingerprint)), kNow + 3, false)) == "ok");
  }
  const std::int64_t a_rest = leave_unpaid(*t.db, c, "a", "fp");
  const std::int64_t b_rest = leave_unpaid(*t.db, c, "b", "fp", "capture:remainder");
  const std::int64_t x_rest = leave_unpaid(*t.db, c, "x", "fp-other");
  REQUIRE(entry(*t.db, c, "fp").has_value());
  CHECK(entry(*t.db, c, "fp")->session_id == "a");  // one row per card: the first session's

  write_off(*t.db, a_rest);
  auto still = entry(*t.db, c, "fp");
  REQUIRE(still.has_value());  // b still owes its part
  CHECK(still->session_id == "b");
  CHECK(still->lifted_at_ms == 0);
  CHECK(entry(*t.db, c, "fp-other").has_value());  // another card's entry is not touched

  write_off(*t.db, b_rest);
  CHECK_FALSE(entry(*t.db, c, "fp").has_value());
  write_off(*t.db, x_rest);
  CHECK_FALSE(entry(*t.db, c, "fp-other").has_value());
}

TEST_CASE("migration 18 replaces the blocklist's lift of a database at version 17, its entries kept") {
  passgate::test::TempDir dir;
  const auto file = dir / "gate.db";
  {
    const auto raw_db = raw_at_version(file, 17);
    SQLite::Database& raw = *raw_db;
    raw.exec("INSERT INTO card_blocklist (fingerprint_hash, reason, session_id, since_ms) VALUES"
             " ('h', 'unpaid_remainder', 'a', 1)");
  }
  auto db = open_or_fail(file);
  CHECK(db->schema_version() == latest_schema_version());
  // (Migration 20 replaced the lift again: card_sessions_owing names the sessions of a card that owe.)
  SQLite::Statement lift(db->sql(), "SELECT sql FROM sqlite_master WHERE name = 'card_sessions_owing'");
  REQUIRE(lift.executeStep());
  CHECK_THAT(lift.getColumn(0).getString(), Catch::Contains("card_attempts") && Catch::Contains("fingerprint_hash"));
  auto found = CardBlocklist(*db).find({"h"});
  REQUIRE(describe(found) == "ok");
  REQUIRE(found->has_value());
  CHECK((*found)->session_id == "a");
}

TEST_CASE("card blocklist: a remainder paid before its session's other dead letter is lifted once that one is settled") {
  TestDatabase t;
  const CardCrypto c = CardCrypto::make();
  admit_cards(*t.db, c, {{"a", 1, "fp"}});
  const std::int64_t capture = dead_capture(*t.db, "a");
  const std::int64_t rest = leave_unpaid(*t.db, c, "a", "fp");
  write_off(*t.db, rest);
  REQUIRE(entry(*t.db, c, "fp").has_value());  // the capture is still a dead letter: the session owes
  SECTION("the capture retried, and it goes through") {
    PaymentQueue queue(*t.db);
    REQUIRE(describe(queue.retry(capture, AuditActor{"alice"}, kNow + 20)) == "ok");
    CHECK(entry(*t.db, c, "fp").has_value());  // pending again: still owed
    REQUIRE(describe(queue.mark_in_flight(capture, kNow + 21)) == "ok");
    REQUIRE(describe(queue.mark_succeeded(capture, "pi_a", kNow + 22)) == "ok");
    CHECK_FALSE(entry(*t.db, c, "fp").has_value());
  }
  SECTION("the capture written off") {
    write_off(*t.db, capture);
    CHECK_FALSE(entry(*t.db, c, "fp").has_value());
  }
  SECTION("its alert cleared") {
    REQUIRE(describe(PaymentQueue(*t.db).set_alert(capture, false)) == "ok");
    CHECK_FALSE(entry(*t.db, c, "fp").has_value());
  }
}

TEST_CASE("card blocklist: a session settled last hands the entry to another session of the card that owes, or lifts it") {
  TestDatabase t;
  const CardCrypto c = CardCrypto::make();
  admit_cards(*t.db, c, {{"a", 1, "fp"}, {"b", 2, "fp"}});
  const std::int64_t a_capture = dead_capture(*t.db, "a");
  const std::int64_t a_rest = leave_unpaid(*t.db, c, "a", "fp");
  const std::int64_t b_rest = leave_unpaid(*t.db, c, "b", "fp");
  write_off(*t.db, a_rest);
  REQUIRE(entry(*t.db, c, "fp").has_value());
  CHECK(entry(*t.db, c, "fp")->session_id == "a");  // a still owes (its capture)
  SECTION("b paid before a's capture is settled") {
    write_off(*t.db, b_rest);
    CHECK(entry(*t.db, c, "fp").has_value());  // (the entry names a)
    write_off(*t.db, a_capture);
    CHECK_FALSE(entry(*t.db, c, "fp").has_value());
  }
  SECTION("a's capture settled before b is paid") {
    write_off(*t.db, a_capture);
    REQUIRE(entry(*t.db, c, "fp").has_value());
    CHECK(entry(*t.db, c, "fp")->session_id == "b");
    write_off(*t.db, b_rest);
    CHECK_FALSE(entry(*t.db, c, "fp").has_value());
  }
}

TEST_CASE("migration 20 lifts an entry stuck at version 19: its session's remainder and dead letters all settled") {
  passgate::test::TempDir dir;
  const auto file = dir / "gate.db";
  const CardCrypto c = CardCrypto::make();
  {
    auto db = open_or_fail(file);
    admit_cards(*db, c, {{"a", 1, "fp"}, {"b", 2, "fp2"}, {"d", 3, "fp3"}, {"e", 4, "fp3"}});
    const std::int64_t capture = dead_capture(*db, "a");
    write_off(*db, leave_unpaid(*db, c, "a", "fp"));
    (void)leave_unpaid(*db, c, "b", "fp2");  // b still owes its remainder
    const std::int64_t d_capture = dead_capture(*db, "d");
    write_off(*db, leave_unpaid(*db, c, "d", "fp3"));
    (void)leave_unpaid(*db, c, "e", "fp3");  // e, of d's card, still owes
    // As version 19 left it: the capture settled after the remainder lifted nothing.
    back_to_version(*db, 19);
    write_off(*db, capture);
    write_off(*db, d_capture);
    REQUIRE(entry(*db, c, "fp").has_value());
  }
  auto db = open_or_fail(file);
  CHECK(db->schema_version() == latest_schema_version());
  CHECK_FALSE(entry(*db, c, "fp").has_value());  // lifted
  CHECK(entry(*db, c, "fp2").has_value());        // owed: kept
  REQUIRE(entry(*db, c, "fp3").has_value());      // handed to e, which owes
  CHECK(entry(*db, c, "fp3")->session_id == "e");
}

TEST_CASE("card blocklist: a declined remainder retried as a new attempt keeps the card listed until that one is settled") {
  TestDatabase t;
  const CardCrypto c = CardCrypto::make();
  admit_cards(*t.db, c, {{"a", 1, "fp"}});
  PaymentQueue queue(*t.db);
  const std::string suffix = GENERATE(std::string("remainder"), std::string("capture:remainder"));
  const std::int64_t rest = leave_unpaid(*t.db, c, "a", "fp", suffix);
  // A first retry sends it with its own key; the card declines it.
  REQUIRE(describe(queue.retry(rest, AuditActor{"alice"}, kNow + 10)) == "ok");
  REQUIRE(describe(queue.mark_in_flight(rest, kNow + 11)) == "ok");
  REQUIRE(describe(queue.mark_declined(rest, "402 insufficient_funds", kNow + 12)) == "ok");
  // Retried again: a new attempt replaces it, and the card stays listed meanwhile.
  REQUIRE(describe(queue.retry(rest, AuditActor{"alice"}, kNow + 20)) == "ok");
  auto old = queue.find(rest);
  REQUIRE(describe(old) == "ok");
  REQUIRE((*old)->replaced_by.has_value());
  const std::int64_t attempt = *(*old)->replaced_by;
  CHECK(queue.find(attempt)->value().idempotency_key == "a:charge:" + suffix + ":retry1");
  REQUIRE(entry(*t.db, c, "fp").has_value());
  SECTION("the new attempt paid: lifted") {
    REQUIRE(describe(queue.mark_in_flight(attempt, kNow + 21)) == "ok");
    REQUIRE(describe(queue.mark_succeeded(attempt, "pi_paid", kNow + 22)) == "ok");
    CHECK_FALSE(entry(*t.db, c, "fp").has_value());
  }
  SECTION("declined too, and its own new attempt declined and written off: lifted then") {
    REQUIRE(describe(queue.mark_in_flight(attempt, kNow + 21)) == "ok");
    REQUIRE(describe(queue.mark_declined(attempt, "402 card_declined", kNow + 22)) == "ok");
    CHECK(entry(*t.db, c, "fp").has_value());
    REQUIRE(describe(queue.retry(attempt, AuditActor{"alice"}, kNow + 30)) == "ok");
    const auto third = queue.find(attempt)->value().replaced_by;
    REQUIRE(third.has_value());
    CHECK(queue.find(*third)->value().idempotency_key == "a:charge:" + suffix + ":retry2");
    REQUIRE(describe(queue.mark_in_flight(*third, kNow + 31)) == "ok");
    REQUIRE(describe(queue.mark_declined(*third, "402 card_declined", kNow + 32)) == "ok");
    CHECK(entry(*t.db, c, "fp").has_value());
    write_off(*t.db, *third);
    CHECK_FALSE(entry(*t.db, c, "fp").has_value());
  }
}

TEST_CASE("card blocklist: a void refused or still to be sent collects nothing and keeps no card listed") {
  TestDatabase t;
  const CardCrypto c = CardCrypto::make();
  admit_cards(*t.db, c, {{"a", 1, "fp"}, {"b", 2, "fp2"}});
  // a: the planner voided a hold lapsed by this box's clock; the void was refused (a dead
  // letter), the charge of the cart declined, and its remainder is paid by an operator's retry.
  const std::int64_t release = dead_on_hold(*t.db, "a", "void");
  const std::int64_t rest = leave_unpaid(*t.db, c, "a", "fp");
  // b: its void still pending.
  NewPaymentOp pending_void;
  pending_void.session_id = "b";
  pending_void.op = "void";
  pending_void.currency = "EUR";
  pending_void.intent_id = "pi_b";
  REQUIRE(describe(PaymentQueue(*t.db).enqueue(pending_void, kNow)) == "ok");
  const std::int64_t b_rest = leave_unpaid(*t.db, c, "b", "fp2");
  REQUIRE(entry(*t.db, c, "fp").has_value());
  PaymentQueue queue(*t.db);
  REQUIRE(describe(queue.retry(rest, AuditActor{"alice"}, kNow + 10)) == "ok");
  REQUIRE(describe(queue.mark_in_flight(rest, kNow + 11)) == "ok");
  REQUIRE(describe(queue.mark_succeeded(rest, "pi_paid", kNow + 12)) == "ok");
  CHECK_FALSE(entry(*t.db, c, "fp").has_value());
  const auto still = queue.find(release);
  REQUIRE(describe(still) == "ok");
  CHECK(is_dead_letter((*still)->state, (*still)->alert));  // the void still waits for an operator
  write_off(*t.db, b_rest);
  CHECK_FALSE(entry(*t.db, c, "fp2").has_value());
}

TEST_CASE("migration 22 lifts an entry kept at version 21 only by its session's dead void") {
  passgate::test::TempDir dir;
  const auto file = dir / "gate.db";
  const CardCrypto c = CardCrypto::make();
  {
    auto db = open_or_fail(file);
    admit_cards(*db, c, {{"a", 1, "fp"}, {"b", 2, "fp2"}});
    (void)dead_on_hold(*db, "a", "void");
    const std::int64_t rest = leave_unpaid(*db, c, "a", "fp");
    (void)dead_on_hold(*db, "b", "void");
    (void)leave_unpaid(*db, c, "b", "fp2");  // b still owes its remainder
    back_to_version(*db, 21);
    write_off(*db, rest);
    REQUIRE(entry(*db, c, "fp").has_value());  // as version 21 left it: the void kept it listed
  }
  auto db = open_or_fail(file);
  CHECK(db->schema_version() == latest_schema_version());
  CHECK_FALSE(entry(*db, c, "fp").has_value());  // lifted
  CHECK(entry(*db, c, "fp2").has_value());        // owed: kept
}
