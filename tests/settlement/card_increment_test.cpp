// Incremental authorization is not used yet (the gate cannot send an increment: no
// PaymentOpKind for it): a cart above the hold is captured and charged whatever the card
// supports. An increment a database already holds that failed is settled by the next row and
// leaves no dead letter that would keep the card on the blocklist once the session is paid.
#include <catch2/catch.hpp>

#include "tests/settlement/card_settlement_fixture.hpp"

using namespace passgate;
using namespace passgate::test;
using db::PaymentOpState;

TEST_CASE("a card cart above a hold that supports incremental authorization is captured and charged, no increment") {
  CardSettlementFixture f;
  TestCard card;
  card.incremental = true;
  f.admit_card("c1", "fp-1", card);
  f.record_carts({final_cart("c1", 4500, "EUR")});
  CHECK(f.planner.run() == 1);
  CHECK(f.settlement("c1")->decision.plan == "card:capture+charge");
  for (const auto& op : f.settling_ops("c1")) CHECK(op.op != "increment");

  controller::CardHold hold;
  hold.amount_minor = 3000;
  hold.currency = "EUR";
  hold.intent_id = "pi_c1";
  hold.fingerprint_hash = "h";
  hold.card_saved = true;
  hold.incremental = true;
  const auto plan = controller::plan_card_settlement("c1", final_cart("c1", 4500, "EUR"), hold);
  CHECK(plan.decision.plan == "card:capture+charge");
}

TEST_CASE("a failed increment is settled by the next row, and paying the rest lifts the card's blocklist entry") {
  CardSettlementFixture f;
  const auto failed = GENERATE(PaymentOpState::declined, PaymentOpState::dead);
  TestCard wallet = TestCard::with(false);
  wallet.incremental = true;
  f.admit_card("c1", "fp-1", wallet);
  f.record_carts({final_cart("c1", 4500, "EUR")});
  // As a database planned it before increments were left out.
  db::SettlementDecision decision;
  decision.session_id = "c1";
  decision.plan = "card:increment";
  decision.total_minor = 4500;
  decision.hold_minor = 3000;
  decision.from_cart = true;
  db::NewPaymentOp increment;
  increment.session_id = "c1";
  increment.op = "increment";
  increment.amount_minor = 4500;
  increment.currency = "EUR";
  increment.intent_id = "pi_c1";
  auto ids = f.cards.settle(decision, {increment}, std::nullopt, f.now_ms());
  REQUIRE(db::test::describe(ids) == "ok");
  f.conclude(ids->front(), failed);

  CHECK(f.planner.run() == 1);  // the increment followed up: capture the hold, the rest unpaid (a wallet)
  const auto ops = f.settling_ops("c1");
  REQUIRE(ops.size() == 3);
  CHECK(ops[1].op == "capture");
  CHECK(ops[1].amount_minor == 3000);
  CHECK(ops[2].idempotency_key == "c1:charge:remainder");
  CHECK(ops[0].replaced_by == ops[1].id);
  CHECK_FALSE(db::is_dead_letter(ops[0].state, ops[0].alert));
  REQUIRE(f.blocked("fp-1"));
  const Status retried = f.queue.retry(ops[0].id, db::AuditActor{"alice"}, f.now_ms());  // never resent
  CHECK_FALSE(retried.ok());

  REQUIRE(f.queue.write_off(ops[2].id, "paid at the desk", db::AuditActor{"alice"}, f.now_ms()).ok());
  CHECK(f.blocked("fp-1"));  // the capture of the hold is still to be sent: the session may owe more
  f.conclude(ops[1].id, PaymentOpState::succeeded);
  CHECK_FALSE(f.blocked("fp-1"));
}
