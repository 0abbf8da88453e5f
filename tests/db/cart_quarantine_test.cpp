// CartQuarantine with SettlementStore: a quarantined cart is kept with its reason and JSON,
// once (the same cart again, or any later cart of its session, is a repeat and never
// charged); an operator charges it after correction (the corrected cart becomes the
// session's, settled once) or writes it off (the session is settled without a cart), each
// audited; a settled one cannot be settled again. The queue's sums never wrap.
#include <catch2/catch.hpp>

#include <limits>

#include <SQLiteCpp/SQLiteCpp.h>

#include "db/cart_quarantine.hpp"
#include "db/migrations.hpp"
#include "db/settlement_store.hpp"
#include "tests/db/db_test_support.hpp"

using namespace passgate::db;
using namespace passgate::db::test;

namespace {

QuarantinedCart foreign(const std::string& session_id) {
  return QuarantinedCart{session_id, QuarantineReason::currency,
                         "currency EUR is not the gate's currency USD (payments.currency)",
                         R"({"session_id":")" + session_id + R"(","currency":"EUR"})", "2026-11-21T18:21:40.002Z"};
}

QuarantinedCart unreadable(const std::string& raw) {
  return QuarantinedCart{"", QuarantineReason::unreadable, "expected a cart object", raw, ""};
}

struct QuarantineFixture {
  TestDatabase t;
  SessionStore sessions{*t.db};
  SettlementStore store{*t.db};
  PaymentQueue queue{*t.db};
  CartQuarantine quarantine{*t.db};
  QuarantineFixture() {
    for (const char* id : {"s1", "s2"}) REQUIRE(describe(begin_session(sessions, session(id, std::string("jti-") + id))) == "ok");
  }
  std::vector<QuarantineRecord> open() {
    auto listed = quarantine.open(0);
    REQUIRE(describe(listed) == "ok");
    return *listed;
  }
  // The audit log's rows: "actor action detail".
  std::vector<std::string> audit_log() {
    SQLite::Statement query(t.db->sql(), "SELECT actor, action, op_id, detail FROM audit_log ORDER BY id");
    std::vector<std::string> rows;
    while (query.executeStep()) {
      rows.push_back(query.getColumn(0).getString() + " " + query.getColumn(1).getString() + " " +
                     std::to_string(query.getColumn(2).getInt64()) + " " + query.getColumn(3).getString());
    }
    return rows;
  }
};

}  // namespace

TEST_CASE("a quarantined cart is kept with its reason and JSON, once, and moves the cursor") {
  QuarantineFixture f;
  auto first = f.store.record_carts("carts", {}, {foreign("s1"), unreadable("7"), foreign("ghost")}, "c1", kNow);
  REQUIRE(describe(first) == "ok");
  CHECK(first->quarantined.size() == 2);
  CHECK(first->unknown_sessions == std::vector<std::string>{"ghost"});  // skipped, as the contract says
  CHECK(**f.store.cursor("carts") == "c1");
  const auto open = f.open();
  REQUIRE(open.size() == 2);
  CHECK(open[0].cart.session_id == "s1");
  CHECK(open[0].cart.reason == QuarantineReason::currency);
  CHECK(open[0].cart.raw == R"({"session_id":"s1","currency":"EUR"})");
  CHECK(open[0].state == QuarantineState::open);
  CHECK(open[0].received_at_ms == kNow);
  CHECK(open[1].cart.session_id.empty());
  CHECK(open[1].cart.raw == "7");

  // Delivered again, or a readable cart of the same session later: repeats, nothing recorded.
  auto again = f.store.record_carts(
      "carts", {FinalCart{"s1", "USD", 100, "t"}}, {foreign("s1"), unreadable("7")}, "c2", kNow + 1);
  REQUIRE(describe(again) == "ok");
  CHECK(again->quarantined.empty());
  CHECK(again->recorded == 0);
  CHECK(again->repeated == 3);
  CHECK(f.open().size() == 2);
  CHECK_FALSE(f.store.cart("s1")->has_value());
  CHECK(f.store.candidates(10)->empty());  // nothing to charge
}

TEST_CASE("a bad cart of a session whose cart is recorded is a repeat, not a quarantine") {
  QuarantineFixture f;
  REQUIRE(f.store.record_carts("carts", {FinalCart{"s1", "USD", 100, "t"}}, {}, "c1", kNow).ok());
  auto again = f.store.record_carts("carts", {}, {foreign("s1")}, "c2", kNow);
  REQUIRE(again.ok());
  CHECK(again->repeated == 1);
  CHECK(f.open().empty());
}

TEST_CASE("a JSON longer than the bound is kept cut") {
  QuarantineFixture f;
  REQUIRE(f.store.record_carts("carts", {}, {unreadable(std::string(5000, '1'))}, "c1", kNow).ok());
  CHECK(f.open().front().cart.raw == std::string(kRawCartBytes, '1') + "... (5000 bytes)");
}

TEST_CASE("charged after correction: the corrected cart is the session's, settled once, audited") {
  QuarantineFixture f;
  REQUIRE(f.store.record_carts("carts", {}, {foreign("s1")}, "c1", kNow).ok());
  const std::int64_t id = f.open().front().id;
  REQUIRE(describe(f.quarantine.charge(id, "USD", 1234, "price list checked", "alice", kNow + 5)) == "ok");
  CHECK(f.open().empty());
  const auto record = f.quarantine.find(id)->value();
  CHECK(record.state == QuarantineState::charged);
  CHECK(record.settled_by == "alice");
  CHECK(record.settled_at_ms == kNow + 5);
  const auto cart = f.store.cart("s1")->value();
  CHECK(cart.currency == "USD");
  CHECK(cart.total_minor == 1234);
  CHECK(cart.finalized_at == "2026-11-21T18:21:40.002Z");
  REQUIRE(f.store.candidates(10)->size() == 1);
  CHECK(f.audit_log() == std::vector<std::string>{
                             "alice charge_cart 0 quarantined cart 1 of session s1: charged 1234 USD after correction:"
                             " price list checked"});

  const passgate::Status twice = f.quarantine.charge(id, "USD", 1234, "again", "bob", kNow + 6);
  REQUIRE_FALSE(twice.ok());
  CHECK(twice.error().code == "wrong_state");
  CHECK(twice.error().message == "cannot charge quarantined cart 1 of session s1: it is already charged (by alice)");
  CHECK(f.quarantine.write_off(id, "no", "bob", kNow + 6).error().code == "wrong_state");
  CHECK(f.audit_log().size() == 1);
}

TEST_CASE("written off: the session is settled without a cart, audited") {
  QuarantineFixture f;
  REQUIRE(f.store.record_carts("carts", {}, {foreign("s1")}, "c1", kNow).ok());
  const std::int64_t id = f.open().front().id;
  REQUIRE(describe(f.quarantine.write_off(id, "foreign tourist paid cash", "alice", kNow + 5)) == "ok");
  CHECK(f.quarantine.find(id)->value().state == QuarantineState::written_off);
  auto candidates = f.store.candidates(10);
  REQUIRE(candidates->size() == 1);
  CHECK(candidates->front().session_id == "s1");
  CHECK_FALSE(candidates->front().cart.has_value());
  CHECK(f.audit_log() ==
        std::vector<std::string>{"alice write_off_cart 0 quarantined cart 1 of session s1: written off: foreign tourist"
                                 " paid cash"});
}

TEST_CASE("a quarantined cart without a session can be written off, not charged, an unknown id is not found") {
  QuarantineFixture f;
  REQUIRE(f.store.record_carts("carts", {}, {unreadable("[1]")}, "c1", kNow).ok());
  const std::int64_t id = f.open().front().id;
  const passgate::Status charged = f.quarantine.charge(id, "USD", 1, "r", "alice", kNow);
  REQUIRE_FALSE(charged.ok());
  CHECK(charged.error().code == "wrong_state");
  CHECK(charged.error().message ==
        "cannot charge quarantined cart 1 (no readable session): it names no session, so no shopper to charge; write"
        " it off instead");
  CHECK(f.audit_log().empty());
  REQUIRE(describe(f.quarantine.write_off(id, "garbage from the engine", "alice", kNow)) == "ok");
  CHECK(f.store.candidates(10)->empty());
  CHECK(f.quarantine.write_off(99, "r", "alice", kNow).error().code == "not_found");
}

TEST_CASE("the queue's sums cannot wrap: the largest allowed amounts sum exactly, beyond 64 bits they are capped") {
  QuarantineFixture f;
  const std::int64_t max = std::numeric_limits<std::int64_t>::max();
  const auto put = [&](const std::string& key, std::int64_t amount, const char* currency) {
    SQLite::Statement insert(f.t.db->sql(),
                             "INSERT INTO payment_ops (session_id, op, idempotency_key, amount_minor, currency, state,"
                             " created_at_ms, next_attempt_at_ms) VALUES ('s1', 'charge', ?1, ?2, ?3, 'pending', 0, 0)");
    insert.bind(1, key);
    insert.bind(2, amount);
    insert.bind(3, currency);
    insert.exec();
  };
  // A thousand of the largest amount the gate now charges (payments.max_cart_minor's top).
  for (int i = 0; i < 1000; ++i) put("k" + std::to_string(i), 99'999'999, "USD");
  // Rows written before amounts were bounded (the schema allows them): two of the largest.
  put("a", max, "XXX");
  put("b", max, "XXX");
  auto totals = f.queue.totals();
  REQUIRE(describe(totals) == "ok");
  CHECK(totals->outstanding_minor.at("USD") == passgate::MinorSum{99'999'999'000, false});
  CHECK(totals->outstanding_minor.at("XXX") == passgate::MinorSum{max, true});
  CHECK(totals->outstanding_ops == 1002);
}

TEST_CASE("the queue's totals count the open quarantined carts by reason") {
  QuarantineFixture f;
  REQUIRE(f.store.record_carts("carts", {}, {foreign("s1"), unreadable("7")}, "c1", kNow).ok());
  auto totals = f.queue.totals();
  REQUIRE(totals.ok());
  CHECK(totals->quarantined_carts == std::map<std::string, std::int64_t>{{"currency", 1}, {"unreadable", 1}});
  CHECK(totals->quarantined_total() == 2);
}

TEST_CASE("a database from before migration 4 gains the quarantine and keeps its carts") {
  passgate::test::TempDir dir;
  const auto file = dir / "gate.db";
  {
    SQLite::Database raw(file.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    for (std::size_t v = 0; v < 3; ++v) raw.exec(std::string(schema_migrations()[v]));
    raw.exec("PRAGMA user_version = 3");
  }
  auto db = open_or_fail(file);
  CHECK(db->schema_version() == latest_schema_version());
  SessionStore sessions(*db);
  REQUIRE(describe(begin_session(sessions, session("s1", "jti-s1"))) == "ok");
  REQUIRE(SettlementStore(*db).record_carts("carts", {}, {foreign("s1")}, "c1", kNow).ok());
  CHECK(CartQuarantine(*db).open(0)->size() == 1);
}

TEST_CASE("a denied session's hold is released whatever its cart, and its quarantined cart is never charged") {
  QuarantineFixture f;
  for (const char* id : {"s1", "s2"}) {
    NewPaymentOp preauth;
    preauth.session_id = id;
    preauth.op = "preauth";
    preauth.amount_minor = 5000;
    preauth.currency = "USD";
    const auto queued = f.queue.enqueue(preauth, kNow);
    REQUIRE(describe(queued) == "ok");
    REQUIRE(describe(f.queue.mark_in_flight(*queued, kNow)) == "ok");
    REQUIRE(describe(f.queue.mark_succeeded(*queued, std::string("pi_") + id, kNow)) == "ok");
    REQUIRE(describe(f.sessions.mark_denied(id, "unavailable", false, kNow)) == "ok");
  }
  REQUIRE(f.store.record_carts("carts", {}, {foreign("s1"), foreign("s2")}, "c1", kNow).ok());
  // Both holds are released at once: the gate did not admit these shoppers.
  auto candidates = f.store.candidates(10);
  REQUIRE(candidates->size() == 2);
  for (const auto& c : *candidates) CHECK_FALSE(c.cart.has_value());

  // An operator cannot charge their carts after correction, settled or not: the gate never
  // bills a session it did not admit.
  SettlementDecision decision;
  decision.session_id = "s2";
  decision.plan = "void";
  REQUIRE(describe(f.store.settle(decision, {}, kNow)) == "ok");
  for (const auto& q : f.open()) {
    const passgate::Status charged = f.quarantine.charge(q.id, "USD", 1234, "checked", "alice", kNow + 5);
    REQUIRE_FALSE(charged.ok());
    CHECK(charged.error().code == "wrong_state");
    CHECK(f.quarantine.find(q.id)->value().state == QuarantineState::open);
  }
  CHECK(f.audit_log().empty());
  CHECK(describe(f.quarantine.write_off(f.open().front().id, "not our shopper", "alice", kNow + 6)) == "ok");
}
