// SettlementPlanner on a real database: it waits for an unresolved pre-authorization, plans
// with the hold that really exists once it is final, plans each session exactly once, and
// voids the hold of a session that ended without a cart.
#include <catch2/catch.hpp>

#include "tests/settlement/planner_fixture.hpp"

using namespace passgate;
using namespace passgate::test;
using db::PaymentOpState;


TEST_CASE("the planner waits while the preauth is pending or in flight, then captures on the hold") {
  PlannerFixture f;
  f.add_session("s1");
  const std::int64_t preauth = f.enqueue("s1", "preauth", 5000);
  f.record_carts({final_cart("s1", 1200)});

  CHECK(f.planner.run() == 0);  // pending
  REQUIRE(f.queue.mark_in_flight(preauth, f.now_ms()).ok());
  CHECK(f.planner.run() == 0);  // in flight
  CHECK_FALSE(f.settlement("s1").has_value());
  CHECK(f.settling_ops("s1").empty());
  CHECK(f.kicks == 0);

  REQUIRE(f.queue.mark_succeeded(preauth, "pi_hold", f.now_ms()).ok());
  CHECK(f.planner.run() == 1);
  CHECK(f.kicks == 1);
  const auto settled = f.settlement("s1");
  REQUIRE(settled.has_value());
  CHECK(settled->decision.plan == "capture");
  CHECK(settled->decision.hold_minor == 5000);
  const auto ops = f.settling_ops("s1");
  REQUIRE(ops.size() == 1);
  CHECK(ops[0].op == "capture");
  CHECK(ops[0].amount_minor == 1200);
  CHECK(ops[0].intent_id == "pi_hold");
  CHECK(ops[0].idempotency_key == "s1:capture");
  CHECK(ops[0].state == PaymentOpState::pending);
}

TEST_CASE("a declined preauth leaves no hold: the cart is charged") {
  PlannerFixture f;
  f.add_session("s1");
  f.resolved_preauth("s1", 5000, "");
  f.record_carts({final_cart("s1", 1200)});
  CHECK(f.planner.run() == 1);
  CHECK(f.settlement("s1")->decision.plan == "charge");
  CHECK(f.settlement("s1")->decision.hold_minor == 0);
  const auto ops = f.settling_ops("s1");
  REQUIRE(ops.size() == 1);
  CHECK(ops[0].op == "charge");
  CHECK(ops[0].amount_minor == 1200);
}

TEST_CASE("a session without a preauth is planned as soon as its cart is recorded") {
  PlannerFixture f;
  f.add_session("s1");
  f.add_session("s2");
  f.record_carts({final_cart("s1", 700), final_cart("s2", 0)});
  CHECK(f.planner.run() == 2);
  CHECK(f.settlement("s1")->decision.plan == "charge");
  CHECK(f.settlement("s2")->decision.plan == "none");
  CHECK(f.settling_ops("s2").empty());
  CHECK(f.kicks == 1);
}

TEST_CASE("a session is planned exactly once, however often the planner runs or its cart repeats") {
  PlannerFixture f;
  f.add_session("s1");
  f.resolved_preauth("s1", 5000, "pi_hold");
  f.record_carts({final_cart("s1", 9000)});
  CHECK(f.planner.run() == 1);
  CHECK(f.planner.run() == 0);
  f.record_carts({final_cart("s1", 9000)});
  f.record_carts({final_cart("s1", 100)});  // a repeat with another total changes nothing
  CHECK(f.planner.run() == 0);
  CHECK(f.planner.planned_total() == 1);
  CHECK(f.kicks == 1);
  CHECK(f.settlement("s1")->decision.plan == "charge+void");
  const auto ops = f.settling_ops("s1");
  REQUIRE(ops.size() == 1);  // the void follows once the charge has succeeded
  CHECK(ops[0].op == "charge");
  CHECK(ops[0].amount_minor == 9000);
}

TEST_CASE("a cancelled session with a placed hold has the hold voided") {
  PlannerFixture f;
  f.add_session("s1");
  f.resolved_preauth("s1", 5000, "pi_hold");
  f.cancel_session("s1");
  CHECK(f.planner.run() == 1);
  const auto settled = f.settlement("s1");
  REQUIRE(settled.has_value());
  CHECK(settled->decision.plan == "void");
  CHECK_FALSE(settled->decision.from_cart);
  const auto ops = f.settling_ops("s1");
  REQUIRE(ops.size() == 1);
  CHECK(ops[0].op == "void");
  CHECK(ops[0].intent_id == "pi_hold");
  CHECK(f.planner.run() == 0);
}

TEST_CASE("a denied session whose preauth later succeeds has the hold voided once it is known") {
  PlannerFixture f;
  f.add_session("s1");
  const std::int64_t preauth = f.enqueue("s1", "preauth", 5000);
  REQUIRE(f.queue.mark_in_flight(preauth, f.now_ms()).ok());  // sent (a hold never sent is finished by the denial)
  f.deny_session("s1");
  CHECK(f.planner.run() == 0);  // the hold's outcome is still unknown
  REQUIRE(f.queue.mark_succeeded(preauth, "pi_late", f.now_ms()).ok());
  CHECK(f.planner.run() == 1);
  const auto ops = f.settling_ops("s1");
  REQUIRE(ops.size() == 1);
  CHECK(ops[0].op == "void");
  CHECK(ops[0].intent_id == "pi_late");
}

TEST_CASE("a session that ended without a cart or a hold needs no settlement") {
  PlannerFixture f;
  f.add_session("s1");
  f.add_session("s2");
  f.cancel_session("s1");                 // no preauth requested
  f.resolved_preauth("s2", 5000, "");     // declined
  f.deny_session("s2");
  CHECK(f.planner.run() == 1);
  CHECK_FALSE(f.settlement("s1").has_value());
  CHECK(f.settlement("s2")->decision.plan == "none");
  CHECK(f.settling_ops("s2").empty());
  CHECK(f.kicks == 1);
}

TEST_CASE("a preauth whose answer was unverified but named a PaymentIntent has that hold voided, never captured") {
  PlannerFixture f;
  f.add_session("denied");  // turned away at the gate: the hold is only released
  f.add_session("inside");  // admitted offline: the cart is charged on its own
  for (const char* session : {"denied", "inside"}) {
    const std::int64_t preauth = f.enqueue(session, "preauth", 5000);
    REQUIRE(f.queue.mark_in_flight(preauth, f.now_ms()).ok());
    REQUIRE(f.queue.mark_unverified(preauth, "amount_capturable: expected 5000, got 1", "pi_unsure", f.now_ms()).ok());
  }
  f.deny_session("denied");
  f.record_carts({final_cart("inside", 1200)});
  CHECK(f.planner.run() == 2);

  CHECK(f.settlement("denied")->decision.plan == "void");
  auto ops = f.settling_ops("denied");
  REQUIRE(ops.size() == 1);
  CHECK(ops[0].op == "void");
  CHECK(ops[0].intent_id == "pi_unsure");

  CHECK(f.settlement("inside")->decision.plan == "charge+void");
  ops = f.settling_ops("inside");
  REQUIRE(ops.size() == 1);
  CHECK(ops[0].op == "charge");
  CHECK(ops[0].amount_minor == 1200);
  // Once the charge succeeded, the hold is voided; a failed charge cannot capture from a
  // hold of unknown amount, so it voids it too and stays the dead letter.
  REQUIRE(f.queue.mark_in_flight(ops[0].id, f.now_ms()).ok());
  REQUIRE(f.queue.mark_declined(ops[0].id, "declined: card_declined", f.now_ms()).ok());
  CHECK(f.planner.run() == 1);
  ops = f.settling_ops("inside");
  REQUIRE(ops.size() == 2);
  CHECK(ops[1].op == "void");
  CHECK(ops[1].intent_id == "pi_unsure");
  CHECK(db::is_dead_letter(f.op(ops[0].id).state, f.op(ops[0].id).alert));
}

TEST_CASE("an unverified preauth of a settled session cannot be sent again by an operator") {
  PlannerFixture f;
  f.add_session("s1");
  const std::int64_t preauth = f.enqueue("s1", "preauth", 5000);
  REQUIRE(f.queue.mark_in_flight(preauth, f.now_ms()).ok());
  REQUIRE(f.queue.mark_unverified(preauth, "amount_capturable: expected 5000, got 1", "pi_unsure", f.now_ms()).ok());
  f.add_session("s2");  // not settled: its preauth may be sent again
  const std::int64_t other = f.enqueue("s2", "preauth", 5000);
  REQUIRE(f.queue.mark_in_flight(other, f.now_ms()).ok());
  REQUIRE(f.queue.mark_unverified(other, "HTTP 299", "", f.now_ms()).ok());
  f.deny_session("s1");
  f.deny_session("s2");
  // s1's hold is voided; s2's may stand where the gate cannot name it: it waits for an operator.
  CHECK(f.planner.run() == 1);
  REQUIRE(f.settlement("s1").has_value());
  CHECK_FALSE(f.settlement("s2").has_value());

  const auto refused = f.queue.retry(preauth, "alice", f.now_ms());
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == "wrong_state");
  CHECK(f.queue.retry(other, "alice", f.now_ms()).ok());
}
