// Settlement rules: every row of the table in controller/settlement/rules.hpp, with the
// operations each one queues, their amounts, intents and idempotency keys.
#include <catch2/catch.hpp>

#include "controller/settlement/rules.hpp"
#include "tests/settlement/settlement_fixture.hpp"

using passgate::controller::AfterCharge;
using passgate::controller::PlacedHold;
using passgate::controller::plan_after_charge;
using passgate::controller::plan_settlement;
using passgate::controller::SettlementPlan;
using passgate::test::final_cart;

namespace {

const PlacedHold kHold{5000, "USD", "pi_hold"};

void check_op(const passgate::db::NewPaymentOp& op, const std::string& kind, std::int64_t amount,
              const std::string& currency, const std::string& intent_id) {
  INFO(op.idempotency_key());
  CHECK(op.session_id == "s1");
  CHECK(op.op == kind);
  CHECK(op.idempotency_key() == "s1:" + kind);
  CHECK(op.amount_minor == amount);
  CHECK(op.currency == currency);
  CHECK(op.intent_id == intent_id);
}

}  // namespace

TEST_CASE("a session without cart or hold needs nothing") {
  const SettlementPlan plan = plan_settlement("s1", std::nullopt, std::nullopt);
  CHECK(plan.decision.plan == "none");
  CHECK_FALSE(plan.decision.from_cart);
  CHECK(plan.ops.empty());
}

TEST_CASE("a session that ended without a cart has its hold voided") {
  const SettlementPlan plan = plan_settlement("s1", std::nullopt, kHold);
  CHECK(plan.decision.plan == "void");
  CHECK_FALSE(plan.decision.from_cart);
  CHECK(plan.decision.hold_minor == 5000);
  REQUIRE(plan.ops.size() == 1);
  check_op(plan.ops[0], "void", 0, "USD", "pi_hold");
}

TEST_CASE("an empty cart voids the hold") {
  const SettlementPlan plan = plan_settlement("s1", final_cart("s1", 0), kHold);
  CHECK(plan.decision.plan == "void");
  CHECK(plan.decision.from_cart);
  CHECK(plan.decision.total_minor == 0);
  REQUIRE(plan.ops.size() == 1);
  check_op(plan.ops[0], "void", 0, "USD", "pi_hold");
}

TEST_CASE("an empty cart without a hold needs nothing") {
  const SettlementPlan plan = plan_settlement("s1", final_cart("s1", 0), std::nullopt);
  CHECK(plan.decision.plan == "none");
  CHECK(plan.decision.from_cart);
  CHECK(plan.ops.empty());
}

TEST_CASE("a total within the hold captures the total on the hold's PaymentIntent") {
  for (const std::int64_t total : {1, 4999, 5000}) {
    INFO("total " << total);
    const SettlementPlan plan = plan_settlement("s1", final_cart("s1", total), kHold);
    CHECK(plan.decision.plan == "capture");
    CHECK(plan.decision.total_minor == total);
    CHECK(plan.decision.hold_minor == 5000);
    REQUIRE(plan.ops.size() == 1);
    check_op(plan.ops[0], "capture", total, "USD", "pi_hold");
  }
}

TEST_CASE("a total over the hold charges the total first, what follows waits for the charge's outcome") {
  const SettlementPlan plan = plan_settlement("s1", final_cart("s1", 5001), kHold);
  CHECK(plan.decision.plan == "charge+void");
  REQUIRE(plan.ops.size() == 1);
  check_op(plan.ops[0], "charge", 5001, "USD", "");
}

TEST_CASE("after the charge: a success or a write-off voids the hold, a failure captures from it") {
  passgate::db::PaymentOpRecord charge;
  charge.session_id = "s1";
  charge.op = "charge";
  charge.last_error = "declined: card_declined";
  const auto cart = final_cart("s1", 7000);
  for (const auto state : {passgate::db::PaymentOpState::succeeded, passgate::db::PaymentOpState::written_off}) {
    charge.state = state;
    const AfterCharge after = plan_after_charge(charge, cart, kHold);
    CHECK(after.plan == "void");
    REQUIRE(after.ops.size() == 1);
    check_op(after.ops[0], "void", 0, "USD", "pi_hold");
    CHECK_FALSE(after.remainder.has_value());
  }
  for (const auto state : {passgate::db::PaymentOpState::declined, passgate::db::PaymentOpState::dead}) {
    charge.state = state;
    const AfterCharge after = plan_after_charge(charge, cart, kHold);
    CHECK(after.plan == "capture_from_hold");
    REQUIRE(after.ops.size() == 1);
    check_op(after.ops[0], "capture", 5000, "USD", "pi_hold");
    REQUIRE(after.remainder.has_value());
    CHECK(after.remainder->op == "charge");
    CHECK(after.remainder->amount_minor == 2000);
    CHECK(after.remainder->currency == "USD");
    CHECK(after.remainder->idempotency_key() == "s1:charge:remainder");
    CHECK(after.remainder_reason ==
          "partially paid: the charge of 70.00 USD failed (declined: card_declined); 50.00 USD captured from the "
          "hold; 20.00 USD unpaid");
  }
}

TEST_CASE("a session without a hold is charged its total") {
  const SettlementPlan plan = plan_settlement("s1", final_cart("s1", 1234), std::nullopt);
  CHECK(plan.decision.plan == "charge");
  CHECK(plan.decision.hold_minor == 0);
  REQUIRE(plan.ops.size() == 1);
  check_op(plan.ops[0], "charge", 1234, "USD", "");
}

TEST_CASE("a hold in another currency than the cart is replaced by a charge, and only ever voided") {
  const SettlementPlan plan = plan_settlement("s1", final_cart("s1", 100, "EUR"), kHold);
  CHECK(plan.decision.plan == "charge+void");
  REQUIRE(plan.ops.size() == 1);
  check_op(plan.ops[0], "charge", 100, "EUR", "");
  passgate::db::PaymentOpRecord charge;
  charge.session_id = "s1";
  charge.op = "charge";
  charge.state = passgate::db::PaymentOpState::declined;
  const AfterCharge after = plan_after_charge(charge, final_cart("s1", 100, "EUR"), kHold);
  REQUIRE(after.ops.size() == 1);
  check_op(after.ops[0], "void", 0, "USD", "pi_hold");
  CHECK_FALSE(after.remainder.has_value());
}
