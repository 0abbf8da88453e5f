// SettlementStore: carts and cursor in one transaction, repeats and unknown sessions, the
// candidates to settle, and at most one settlement per session.
#include <catch2/catch.hpp>

#include "db/settlement_store.hpp"
#include "tests/db/db_test_support.hpp"

using namespace passgate::db;
using namespace passgate::db::test;

namespace {

FinalCart cart(const std::string& session_id, std::int64_t total) {
  return FinalCart{session_id, "USD", total, "2026-11-21T18:21:40.002Z"};
}

struct StoreFixture {
  TestDatabase t;
  SessionStore sessions{*t.db};
  SettlementStore store{*t.db};
  PaymentQueue queue{*t.db};
  StoreFixture() {
    for (const char* id : {"s1", "s2", "s3"}) REQUIRE(describe(begin_session(sessions, session(id, std::string("jti-") + id))) == "ok");
  }
};

}  // namespace

TEST_CASE("carts of known sessions are recorded with the cursor, repeats and unknown sessions are not") {
  StoreFixture f;
  CHECK_FALSE(f.store.cursor("carts")->has_value());
  auto first = f.store.record_carts("carts", {cart("s1", 1234), cart("ghost", 99)}, {}, "c1", kNow);
  REQUIRE(describe(first) == "ok");
  CHECK(first->recorded == 1);
  CHECK(first->unknown_sessions == std::vector<std::string>{"ghost"});
  CHECK(**f.store.cursor("carts") == "c1");

  auto again = f.store.record_carts("carts", {cart("s1", 1234), cart("s2", 0)}, {}, "c2", kNow + 1);
  REQUIRE(again.ok());
  CHECK(again->recorded == 1);
  CHECK(again->repeated == 1);
  CHECK(**f.store.cursor("carts") == "c2");
  CHECK(f.store.cart("s2")->value().total_minor == 0);
  CHECK_FALSE(f.store.cart("ghost")->has_value());
}

TEST_CASE("the cursor survives a restart and advances only with its carts") {
  StoreFixture f;
  REQUIRE(f.store.record_carts("carts", {cart("s1", 10)}, {}, "c1", kNow).ok());
  f.t.reopen();
  SettlementStore reopened(*f.t.db);
  CHECK(**reopened.cursor("carts") == "c1");
  CHECK(reopened.cart("s1")->value().total_minor == 10);
}

TEST_CASE("a session is settled once, with its operations chained in order") {
  StoreFixture f;
  REQUIRE(f.store.record_carts("carts", {cart("s1", 9000)}, {}, "c1", kNow).ok());
  auto candidates = f.store.candidates(10);
  REQUIRE(candidates.ok());
  REQUIRE(candidates->size() == 1);
  CHECK(candidates->front().session_id == "s1");

  NewPaymentOp charge{"s1", "charge", 9000, "USD", "", std::nullopt, true, ""};
  NewPaymentOp void_hold{"s1", "void", 0, "USD", "pi_hold", std::nullopt, true, ""};
  const SettlementDecision decision{"s1", true, 9000, 5000, "charge+void"};
  auto ids = f.store.settle(decision, {charge, void_hold}, kNow);
  REQUIRE(describe(ids) == "ok");
  REQUIRE(ids->size() == 2);
  CHECK(f.queue.find(ids->at(1))->value().after_op_id == ids->at(0));
  CHECK(f.store.candidates(10)->empty());

  auto twice = f.store.settle(decision, {charge}, kNow);
  REQUIRE_FALSE(twice.ok());
  CHECK(twice.error().code == "already_settled");
  CHECK(f.queue.for_session("s1")->size() == 2);
  CHECK(f.store.settlement("s1")->value().decision.plan == "charge+void");
}

TEST_CASE("a session that ended without a cart is a candidate only if a hold was requested for it") {
  StoreFixture f;
  REQUIRE(f.sessions.mark_denied("s2", "shopper_blocked", false, kNow).ok());
  REQUIRE(f.sessions.mark_denied("s3", "shopper_blocked", false, kNow).ok());
  const auto preauth = f.queue.enqueue(NewPaymentOp{"s2", "preauth", 5000, "USD", "", std::nullopt, true, ""}, kNow);
  REQUIRE(preauth.ok());
  CHECK(f.store.candidates(10)->empty());  // its hold is not resolved yet
  REQUIRE(f.queue.mark_in_flight(*preauth, kNow).ok());
  REQUIRE(f.queue.mark_succeeded(*preauth, "pi_hold", kNow).ok());
  auto candidates = f.store.candidates(10);
  REQUIRE(candidates.ok());
  REQUIRE(candidates->size() == 1);
  CHECK(candidates->front().session_id == "s2");
  CHECK_FALSE(candidates->front().cart.has_value());
}
