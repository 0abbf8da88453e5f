// PaymentDrainer after 23 hours: an operation whose first attempt is older than that is
// looked up with the search endpoint before it is resent (the gateway may have forgotten
// its key), and a PaymentIntent the gateway already has is adopted instead of a second one.
#include <catch2/catch.hpp>

#include "tests/settlement/gateway_outcomes.hpp"
#include "tests/settlement/settlement_fixture.hpp"

using namespace passgate;
using namespace passgate::test;
using passgate::PaymentOutcomeKind;
using db::PaymentOpState;

namespace {

// An operation tried once (outcome unknown, the gate then off) `age` ago.
std::int64_t tried_long_ago(SettlementFixture& f, const std::string& op, Millis age, const std::string& intent_id = {}) {
  f.add_session("s1");
  const std::int64_t id = f.enqueue("s1", op, 1234, intent_id);
  REQUIRE(f.queue.mark_in_flight(id, f.now_ms()).ok());
  REQUIRE(f.queue.mark_retry(id, f.now_ms() + 1000, "timeout after 10000 ms").ok());
  f.vt.advance(age);
  return id;
}

constexpr Millis kOverADay = std::chrono::hours(23) + std::chrono::minutes(1);

}  // namespace

TEST_CASE("an operation first tried over 23 hours ago adopts the PaymentIntent the search finds") {
  SettlementFixture f;
  const std::int64_t id = tried_long_ago(f, "charge", kOverADay);
  f.start_drainer();
  CHECK(f.gateway.searches == std::vector<std::string>{"s1"});
  CHECK(f.gateway.sent.empty());
  f.gateway.answer_oldest(search_result({found_intent("pi_preauth", "s1", "preauth", "requires_capture"),
                                         found_intent("pi_found", "s1", "charge", "succeeded")}));
  f.vt.run_ready();
  CHECK(f.gateway.sent.empty());  // no execute call: nothing created twice
  const db::PaymentOpRecord adopted = f.op(id);
  CHECK(adopted.state == PaymentOpState::succeeded);
  CHECK(adopted.intent_id == "pi_found");
  CHECK(f.drainer->counters().adopted == 1);
}

TEST_CASE("a PaymentIntent the search finds that does not match the operation is a dead letter, not adopted") {
  SettlementFixture f;
  const std::int64_t id = tried_long_ago(f, "charge", kOverADay);
  f.start_drainer();
  f.gateway.answer_oldest(search_result({found_intent("pi_found", "s1", "charge", "succeeded", 1)}));
  f.vt.run_ready();
  CHECK(f.gateway.sent.empty());
  const db::PaymentOpRecord dead = f.op(id);
  CHECK(dead.state == PaymentOpState::dead);
  CHECK(dead.alert);
  CHECK(dead.last_error ==
        "the PaymentIntent found by search is not the outcome of this charge: amount: expected 1234, got 1; "
        "amount_received: expected 1234, got 1; money may have moved: a person must check the payment at the "
        "gateway, then retry or write off the operation");
  CHECK(f.queue.totals()->dead_letters == 1);
}

TEST_CASE("an operation first tried over 23 hours ago is sent with its same key when the search finds nothing") {
  SettlementFixture f;
  const std::int64_t id = tried_long_ago(f, "charge", kOverADay);
  f.start_drainer();
  REQUIRE(f.gateway.searches.size() == 1);
  // A PaymentIntent of another operation of the session is not this one.
  f.gateway.answer_oldest(search_result({found_intent("pi_preauth", "s1", "preauth", "requires_capture")}));
  f.vt.run_ready();
  REQUIRE(f.gateway.sent.size() == 1);
  CHECK(f.gateway.sent[0].idempotency_key == "s1:charge");
  CHECK(f.op(id).state == PaymentOpState::in_flight);
  f.gateway.approve_oldest();
  f.vt.run_ready();
  CHECK(f.op(id).state == PaymentOpState::succeeded);
  CHECK(f.drainer->counters().adopted == 0);
}

TEST_CASE("an operation first tried less than 23 hours ago is resent without a search") {
  SettlementFixture f;
  tried_long_ago(f, "charge", std::chrono::hours(23) - std::chrono::minutes(1));
  f.start_drainer();
  CHECK(f.gateway.searches.empty());
  REQUIRE(f.gateway.sent.size() == 1);
  CHECK(f.gateway.sent[0].idempotency_key == "s1:charge");
}

TEST_CASE("a capture first tried over 23 hours ago adopts the hold the search shows captured") {
  SettlementFixture f;
  const std::int64_t id = tried_long_ago(f, "capture", kOverADay, "pi_hold");
  f.start_drainer();
  f.gateway.answer_oldest(search_result({found_intent("pi_hold", "s1", "preauth", "succeeded")}));
  f.vt.run_ready();
  CHECK(f.gateway.sent.empty());
  CHECK(f.op(id).state == PaymentOpState::succeeded);
  CHECK(f.op(id).intent_id == "pi_hold");
}

TEST_CASE("a capture whose hold the search shows still uncaptured is sent") {
  SettlementFixture f;
  tried_long_ago(f, "capture", kOverADay, "pi_hold");
  f.start_drainer();
  f.gateway.answer_oldest(search_result({found_intent("pi_hold", "s1", "preauth", "requires_capture")}));
  f.vt.run_ready();
  REQUIRE(f.gateway.sent.size() == 1);
  CHECK(f.gateway.sent[0].op == passgate::PaymentOpKind::capture);
  CHECK(f.gateway.sent[0].intent_id == "pi_hold");
}

TEST_CASE("a charge the search shows declined is declined, not charged again") {
  SettlementFixture f;
  const std::int64_t id = tried_long_ago(f, "charge", kOverADay);
  f.start_drainer();
  f.gateway.answer_oldest(search_result({found_intent("pi_declined", "s1", "charge", "requires_payment_method")}));
  f.vt.run_ready();
  CHECK(f.gateway.sent.empty());
  CHECK(f.op(id).state == PaymentOpState::declined);
  CHECK(f.queue.totals()->dead_letters == 1);
}

TEST_CASE("a charge the search shows both declined and then paid adopts the payment") {
  SettlementFixture f;
  const std::int64_t id = tried_long_ago(f, "charge", kOverADay);
  f.start_drainer();
  f.gateway.answer_oldest(search_result({found_intent("pi_declined", "s1", "charge", "requires_payment_method"),
                                         found_intent("pi_paid", "s1", "charge", "succeeded")}));
  f.vt.run_ready();
  CHECK(f.gateway.sent.empty());
  CHECK(f.op(id).state == PaymentOpState::succeeded);
  CHECK(f.op(id).intent_id == "pi_paid");
}

TEST_CASE("a search without an answer leaves the operation pending and sends nothing") {
  SettlementFixture f;
  const std::int64_t id = tried_long_ago(f, "charge", kOverADay);
  f.start_drainer();
  f.gateway.answer_oldest(FakeGateway::outcome(PaymentOutcomeKind::unknown, 0, "connection refused"));
  f.vt.run_ready();
  CHECK(f.gateway.sent.empty());
  CHECK(f.op(id).state == PaymentOpState::pending);
  // The next attempt searches again: the first attempt is still over 23 hours old.
  f.vt.advance(Millis{f.op(id).next_attempt_at_ms - f.now_ms()});
  CHECK(f.gateway.searches.size() == 2);
  CHECK(f.gateway.sent.empty());
}

TEST_CASE("a lookup the gateway refuses or declines says nothing of the operation: it is looked up again") {
  SettlementFixture f;
  const auto kind = GENERATE(PaymentOutcomeKind::rejected, PaymentOutcomeKind::declined, PaymentOutcomeKind::unverified);
  const std::int64_t id = tried_long_ago(f, "charge", kOverADay);
  f.start_drainer();
  REQUIRE(f.gateway.searches.size() == 1);
  f.gateway.answer_oldest(FakeGateway::outcome(kind, kind == PaymentOutcomeKind::declined ? 402 : 401));
  f.vt.run_ready();
  const db::PaymentOpRecord op = f.op(id);
  CHECK(op.state == PaymentOpState::pending);  // not declined, not dead: the charge may have gone through
  CHECK_THAT(op.last_error, Catch::Contains("it is looked up again"));
  CHECK(f.gateway.sent.empty());
}

TEST_CASE("a charge first sent by an older version goes on without op_key; one found without it is adopted only if alone") {
  SettlementFixture f;
  const bool looked_up = GENERATE(false, true);
  const bool another_legacy_charge = GENERATE(false, true);
  const std::int64_t id = tried_long_ago(f, "charge", looked_up ? kOverADay : Millis{std::chrono::hours(1)});
  if (another_legacy_charge) {  // a second charge of the session, declined, as the older version left it
    f.t.db->sql().exec(
        "INSERT INTO payment_ops (session_id, op, idempotency_key, amount_minor, currency, state, attempts,"
        " created_at_ms, first_attempt_at_ms, next_attempt_at_ms, finished_at_ms, maybe_executed)"
        " VALUES ('s1', 'charge', 's1:charge:remainder', 500, 'USD', 'declined', 1, 1, 1, 1, 1, 1)");
  }
  f.t.db->sql().exec("UPDATE payment_ops SET op_key_sent = 0 WHERE op = 'charge'");
  f.start_drainer();
  f.vt.run_ready();
  if (!looked_up) {
    REQUIRE(f.gateway.sent.size() == 1);
    CHECK(f.gateway.sent[0].op_key.empty());  // the same parameters as its key was first used with
    return;
  }
  // Its key may be forgotten: looked up, and the session's charge found has no op_key either.
  REQUIRE(f.gateway.searches.size() == 1);
  auto legacy = found_intent("pi_old", "s1", "charge", "succeeded");
  legacy.op_key.clear();
  f.gateway.answer_oldest(search_result({legacy}));
  f.vt.run_ready();
  CHECK(f.gateway.sent.empty());  // not sent blindly
  if (!another_legacy_charge) {
    // The session's only charge sent so, and the only one found so: its own, adopted.
    const db::PaymentOpRecord adopted = f.op(id);
    CHECK(adopted.state == PaymentOpState::succeeded);
    CHECK(adopted.intent_id == "pi_old");
    return;
  }
  const db::PaymentOpRecord dead = f.op(id);
  CHECK(dead.state == PaymentOpState::dead);
  CHECK(dead.alert);
  CHECK_THAT(dead.last_error, Catch::Contains("cannot be told apart"));
}

TEST_CASE("a charge first sent by this version names itself in metadata[op_key]") {
  SettlementFixture f;
  f.add_session("s1");
  (void)f.enqueue("s1", "charge", 1234, "");
  f.start_drainer();
  f.vt.run_ready();
  REQUIRE(f.gateway.sent.size() == 1);
  CHECK(f.gateway.sent[0].op_key == "charge");
}
