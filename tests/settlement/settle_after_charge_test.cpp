// A charge above the hold, followed up once it is final: the hold is released only after the
// charge succeeded; a declined or rejected charge is covered from the hold as far as it goes
// and the rest left to an operator; an unverified one waits for an operator.
#include <catch2/catch.hpp>

#include "tests/settlement/planner_fixture.hpp"

using namespace passgate;
using namespace passgate::test;
using db::PaymentOpState;

namespace {

// Session s1: a hold of 25.00 (pi_hold) and a cart of 30.00, planned: the charge is queued.
std::int64_t charge_above_hold(PlannerFixture& f, const std::string& hold_currency = "USD") {
  f.add_session("s1");
  const std::int64_t preauth = f.enqueue("s1", "preauth", 2500);
  REQUIRE(f.queue.mark_in_flight(preauth, f.now_ms()).ok());
  REQUIRE(f.queue.mark_succeeded(preauth, "pi_hold", f.now_ms()).ok());
  if (hold_currency != "USD") {
    REQUIRE(f.t.db->sql().exec("UPDATE payment_ops SET currency = '" + hold_currency + "' WHERE id = " +
                               std::to_string(preauth)) == 1);
  }
  f.record_carts({final_cart("s1", 3000)});
  REQUIRE(f.planner.run() == 1);
  const auto ops = f.settling_ops("s1");
  REQUIRE(ops.size() == 1);
  REQUIRE(ops[0].op == "charge");
  return ops[0].id;
}

}  // namespace

TEST_CASE("the hold is released only after the charge above it has succeeded") {
  PlannerFixture f;
  const std::int64_t charge = charge_above_hold(f);
  CHECK(f.planner.run() == 0);  // the charge is pending: nothing follows yet
  REQUIRE(f.queue.mark_in_flight(charge, f.now_ms()).ok());
  CHECK(f.planner.run() == 0);  // in flight
  REQUIRE(f.queue.mark_succeeded(charge, "pi_charge", f.now_ms()).ok());
  CHECK(f.planner.run() == 1);
  const auto ops = f.settling_ops("s1");
  REQUIRE(ops.size() == 2);
  CHECK(ops[1].op == "void");
  CHECK(ops[1].intent_id == "pi_hold");
  CHECK(ops[1].idempotency_key == "s1:void");
  CHECK(f.planner.run() == 0);  // followed up once
}

TEST_CASE("a declined or rejected charge above the hold captures the hold and leaves the rest as a dead letter") {
  PlannerFixture f;
  const PaymentOpState failed = GENERATE(PaymentOpState::declined, PaymentOpState::dead);
  const std::int64_t charge = charge_above_hold(f);
  f.conclude(charge, failed);
  CHECK(f.planner.run() == 1);

  const auto ops = f.settling_ops("s1");
  REQUIRE(ops.size() == 3);
  // Never a void: the hold was the one sure amount.
  for (const auto& op : ops) CHECK(op.op != "void");
  const db::PaymentOpRecord capture = ops[1];
  CHECK(capture.op == "capture");
  CHECK(capture.amount_minor == 2500);
  CHECK(capture.intent_id == "pi_hold");
  CHECK(capture.state == PaymentOpState::pending);
  const db::PaymentOpRecord rest = ops[2];
  CHECK(rest.op == "charge");
  CHECK(rest.idempotency_key == "s1:charge:remainder");
  CHECK(rest.amount_minor == 500);
  CHECK(rest.state == PaymentOpState::dead);
  CHECK(db::is_dead_letter(rest.state, rest.alert));
  CHECK_THAT(rest.last_error, Catch::Contains("partially paid") && Catch::Contains("25.00 USD captured") &&
                                  Catch::Contains("5.00 USD unpaid"));
  // The failed charge leaves the dead-letter list and can never be sent again (it would
  // charge the whole cart on top of the capture).
  const db::PaymentOpRecord first = f.op(charge);
  CHECK_FALSE(db::is_dead_letter(first.state, first.alert));
  CHECK(first.replaced_by == rest.id);
  const auto refused = f.queue.retry(charge, db::AuditActor{"alice"}, f.now_ms());
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == "wrong_state");
  // The remainder is an operator's to collect (its own key) or write off.
  CHECK(f.queue.retry(rest.id, db::AuditActor{"alice"}, f.now_ms()).ok());
  CHECK(f.planner.run() == 0);
}

TEST_CASE("a declined charge cannot be retried before settlement followed it up; its remainder can afterwards") {
  PlannerFixture f;
  const std::int64_t charge = charge_above_hold(f);
  f.conclude(charge, PaymentOpState::declined);
  // Listed at once, but not yet followed up (the planner runs next, or failed once and waits):
  // a new attempt now would take the charge's place where the follow-up never looks, the
  // hold left open or its part never captured.
  const Status early = f.queue.retry(charge, db::AuditActor{"alice"}, f.now_ms());
  REQUIRE_FALSE(early.ok());
  CHECK(early.error().code == "wrong_state");
  CHECK_THAT(early.error().message, Catch::Contains("not yet followed it up"));
  CHECK_FALSE(f.op(charge).replaced_by.has_value());
  CHECK(f.planner.run() == 1);
  const auto ops = f.settling_ops("s1");
  REQUIRE(ops.size() == 3);
  CHECK(ops[1].op == "capture");
  CHECK(ops[2].idempotency_key == "s1:charge:remainder");
  CHECK(f.queue.retry(ops[2].id, db::AuditActor{"alice"}, f.now_ms()).ok());
}

TEST_CASE("an unverified charge leaves the hold alone until an operator resolves the charge") {
  PlannerFixture f;
  const std::int64_t charge = charge_above_hold(f);
  REQUIRE(f.queue.mark_in_flight(charge, f.now_ms()).ok());
  REQUIRE(f.queue.mark_unverified(charge, "amount: expected 3000, got 1", "pi_odd", f.now_ms()).ok());
  CHECK(f.planner.run() == 0);
  CHECK(f.settling_ops("s1").size() == 1);

  SECTION("retried, it succeeds: the hold is released") {
    REQUIRE(f.queue.retry(charge, db::AuditActor{"alice"}, f.now_ms()).ok());
    CHECK_FALSE(f.op(charge).unverified);
    f.conclude(charge, PaymentOpState::succeeded);
    CHECK(f.planner.run() == 1);
    CHECK(f.settling_ops("s1").back().op == "void");
  }
  SECTION("written off: the operator gave up the charge, the hold is released") {
    REQUIRE(f.queue.write_off(charge, "collected by hand", db::AuditActor{"alice"}, f.now_ms()).ok());
    CHECK(f.planner.run() == 1);
    const auto ops = f.settling_ops("s1");
    REQUIRE(ops.size() == 2);
    CHECK(ops[1].op == "void");
  }
}

TEST_CASE("a failed charge cannot capture from a hold in another currency: the hold is voided, the charge stays") {
  PlannerFixture f;
  const std::int64_t charge = charge_above_hold(f, "EUR");
  f.conclude(charge, PaymentOpState::declined);
  CHECK(f.planner.run() == 1);
  const auto ops = f.settling_ops("s1");
  REQUIRE(ops.size() == 2);
  CHECK(ops[1].op == "void");
  CHECK(db::is_dead_letter(f.op(charge).state, f.op(charge).alert));
}

TEST_CASE("a charge refused after an earlier send of unknown outcome leaves the hold to an operator") {
  PlannerFixture f;
  const std::int64_t charge = charge_above_hold(f);
  REQUIRE(f.queue.mark_in_flight(charge, f.now_ms()).ok());
  REQUIRE(f.queue.mark_retry(charge, f.now_ms(), "timed out").ok());  // may have charged
  f.conclude(charge, PaymentOpState::dead);
  CHECK(f.planner.run() == 0);
  CHECK(f.settling_ops("s1").size() == 1);  // neither a capture nor a void
}
