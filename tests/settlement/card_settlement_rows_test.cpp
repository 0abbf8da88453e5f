// Card sessions settled by the contract's table, one test per row, over a real database: the
// planner's decision and operations, and what the drainer sends with them (the hold's
// PaymentIntent, the saved card); a partially paid session leaves its rest a dead letter and
// its card on the blocklist until an operator settles it; the app path never takes a card
// session, and nothing is settled for a card attempt that was not admitted.
#include <catch2/catch.hpp>

#include "tests/settlement/card_settlement_fixture.hpp"
#include "tests/support/captured_log.hpp"

using namespace passgate;
using namespace passgate::test;
using db::PaymentOpState;

namespace {

// How the gateway answers the charges drain() sends (every other operation is approved).
enum class Charges { approved, declined, refused };

// Sends every due operation, the gateway answering charges as `charges` says.
void drain(CardSettlementFixture& f, Charges charges = Charges::approved) {
  for (int round = 0; round < 20; ++round) {
    f.vt.run_ready();
    while (!f.gateway.calls.empty()) {
      const PaymentRequest request = f.gateway.calls.front().request;
      if (charges == Charges::declined && request.op == PaymentOpKind::charge) {
        f.gateway.answer_oldest(FakeGateway::outcome(PaymentOutcomeKind::declined, 402, "card_declined"));
      } else if (charges == Charges::refused && request.op == PaymentOpKind::charge) {
        f.gateway.answer_oldest(FakeGateway::outcome(PaymentOutcomeKind::rejected, 401, "api_key_expired"));
      } else {
        f.gateway.approve_oldest();
      }
      f.vt.run_ready();
    }
    (void)f.planner.run();
    f.vt.advance(std::chrono::seconds(2));
  }
}

}  // namespace

TEST_CASE("a card session with an empty cart, or none, voids its hold and charges nothing") {
  CardSettlementFixture f;
  f.admit_card("c1", "fp-1");
  f.admit_card("c2", "fp-2", {}, 2);
  f.record_carts({final_cart("c1", 0, "EUR")});
  f.cancel_session("c2");  // nobody passed
  CHECK(f.planner.run() == 2);
  for (const std::string sid : {"c1", "c2"}) {
    const auto ops = f.settling_ops(sid);
    REQUIRE(ops.size() == 1);
    CHECK(ops[0].op == "void");
    CHECK(ops[0].intent_id == "pi_" + sid);
    CHECK(ops[0].idempotency_key == sid + ":void");
    CHECK(f.settlement(sid)->decision.plan == "card:void");
  }
  f.start_card_drainer();
  drain(f);
  REQUIRE(f.gateway.sent.size() == 2);
  for (const auto& sent : f.gateway.sent) CHECK(sent.op == PaymentOpKind::void_hold);
}

TEST_CASE("a card cart within the hold is captured from it, the total and nothing more") {
  CardSettlementFixture f;
  const std::int64_t total = GENERATE(1, 2999, 3000);
  f.admit_card("c1", "fp-1");
  f.record_carts({final_cart("c1", total, "EUR")});
  CHECK(f.planner.run() == 1);
  f.start_card_drainer();
  drain(f);
  REQUIRE(f.gateway.sent.size() == 1);
  const PaymentRequest& capture = f.gateway.sent[0];
  CHECK(capture.op == PaymentOpKind::capture);
  CHECK(capture.amount_minor == total);
  CHECK(capture.intent_id == "pi_c1");
  CHECK(capture.idempotency_key == "c1:capture");
  CHECK(f.settlement("c1")->decision.plan == "card:capture");
  CHECK_FALSE(f.blocked("fp-1"));
}

TEST_CASE("a card cart above the hold captures the hold, then charges the rest off-session to the saved card") {
  CardSettlementFixture f;
  f.admit_card("c1", "fp-1");
  f.record_carts({final_cart("c1", 4500, "EUR")});
  CHECK(f.planner.run() == 1);
  CHECK(f.settlement("c1")->decision.plan == "card:capture+charge");
  f.start_card_drainer();
  drain(f);
  REQUIRE(f.gateway.sent.size() == 2);
  CHECK(f.gateway.sent[0].op == PaymentOpKind::capture);
  CHECK(f.gateway.sent[0].amount_minor == 3000);
  const PaymentRequest& charge = f.gateway.sent[1];
  CHECK(charge.op == PaymentOpKind::charge);
  CHECK(charge.amount_minor == 1500);
  CHECK(charge.idempotency_key == "c1:charge");
  CHECK(charge.customer == "cus_c1");
  CHECK(charge.payment_method == "pm_saved_fp-1");
  for (const auto& op : f.settling_ops("c1")) CHECK(op.state == PaymentOpState::succeeded);
  CHECK_FALSE(f.blocked("fp-1"));
}

TEST_CASE("a wallet's cart above the hold is partially paid: the rest a dead letter, the card on the blocklist") {
  CapturedLog log;
  CardSettlementFixture f;
  f.admit_card("c1", "fp-wallet", TestCard::with(false));
  f.record_carts({final_cart("c1", 4500, "EUR")});
  CHECK(f.planner.run() == 1);
  CHECK(f.settlement("c1")->decision.plan == "card:capture+unpaid");
  const auto ops = f.settling_ops("c1");
  REQUIRE(ops.size() == 2);
  CHECK(ops[0].op == "capture");
  CHECK(ops[0].amount_minor == 3000);
  CHECK(ops[1].idempotency_key == "c1:charge:remainder");
  CHECK(ops[1].amount_minor == 1500);
  CHECK(db::is_dead_letter(ops[1].state, ops[1].alert));
  CHECK_THAT(ops[1].last_error, Catch::Contains("partially paid") && Catch::Contains("30.00 EUR captured") &&
                                    Catch::Contains("15.00 EUR unpaid"));
  CHECK(f.blocked("fp-wallet"));
  CHECK(log.count("event=settlement_partially_paid session=c1") == 1);
  CHECK(log.text().find("fp-wallet") == std::string::npos);
  CHECK(log.text().find("pi_c1") == std::string::npos);
  // The card is refused at its next tap.
  f.hold_card("c2", "fp-wallet", {}, 2);
  const Status again = f.attempts.admit("c2", db::test::card_session("c2", 2, f.hash("fp-wallet")), f.now_ms());
  REQUIRE_FALSE(again.ok());
  CHECK(again.error().code == "shopper_blocked");
  // Only the capture goes to the gateway.
  f.start_card_drainer();
  drain(f);
  REQUIRE(f.gateway.sent.size() == 1);
  CHECK(f.gateway.sent[0].op == PaymentOpKind::capture);
}

TEST_CASE("a declined charge of the rest leaves the card session partially paid and the card on the blocklist") {
  CardSettlementFixture f;
  f.admit_card("c1", "fp-1");
  f.record_carts({final_cart("c1", 4500, "EUR")});
  CHECK(f.planner.run() == 1);
  f.start_card_drainer();
  drain(f, Charges::declined);
  const auto ops = f.settling_ops("c1");
  REQUIRE(ops.size() == 3);
  CHECK(ops[0].state == PaymentOpState::succeeded);  // the hold captured
  CHECK(ops[1].idempotency_key == "c1:charge");
  CHECK(ops[1].state == PaymentOpState::declined);
  CHECK(ops[1].replaced_by == ops[2].id);
  CHECK_FALSE(db::is_dead_letter(ops[1].state, ops[1].alert));
  CHECK(ops[2].idempotency_key == "c1:charge:remainder");
  CHECK(ops[2].amount_minor == 1500);
  CHECK(db::is_dead_letter(ops[2].state, ops[2].alert));
  CHECK(f.blocked("fp-1"));
  // The charge was sent once; the remainder waits for an operator.
  CHECK(f.gateway.sent.size() == 2);
  CHECK(f.planner.run() == 0);
}

TEST_CASE("an operator settling a partially paid card session lifts the card's blocklist entry") {
  CardSettlementFixture f;
  const bool write_off = GENERATE(true, false);
  f.admit_card("c1", "fp-1");
  f.record_carts({final_cart("c1", 4500, "EUR")});
  CHECK(f.planner.run() == 1);
  f.start_card_drainer();
  drain(f, Charges::declined);
  const std::int64_t rest = f.settling_ops("c1").back().id;
  REQUIRE(f.blocked("fp-1"));
  if (write_off) {
    REQUIRE(f.queue.write_off(rest, "collected at the service desk", db::AuditActor{"alice"}, f.now_ms()).ok());
  } else {
    REQUIRE(f.queue.retry(rest, db::AuditActor{"alice"}, f.now_ms()).ok());
    REQUIRE(f.blocked("fp-1"));  // still listed while the retry is under way
    f.drainer->kick();
    drain(f);
    CHECK(f.op(rest).state == PaymentOpState::succeeded);
    CHECK(f.gateway.sent.back().idempotency_key == "c1:charge:remainder");
    CHECK(f.gateway.sent.back().payment_method == "pm_saved_fp-1");
  }
  CHECK_FALSE(f.blocked("fp-1"));
}

TEST_CASE("a card's declined rest cannot be retried before settlement followed it up with its remainder") {
  CardSettlementFixture f;
  f.admit_card("c1", "fp-1");
  f.record_carts({final_cart("c1", 4500, "EUR")});
  CHECK(f.planner.run() == 1);
  const auto planned = f.settling_ops("c1");
  const auto charge = std::find_if(planned.begin(), planned.end(),
                                   [](const db::PaymentOpRecord& op) { return op.idempotency_key == "c1:charge"; });
  REQUIRE(charge != planned.end());
  f.conclude(charge->id, PaymentOpState::declined);
  // A new attempt now would never be followed up: no remainder, the card never listed.
  const Status early = f.queue.retry(charge->id, db::AuditActor{"alice"}, f.now_ms());
  REQUIRE_FALSE(early.ok());
  CHECK(early.error().code == "wrong_state");
  CHECK(f.planner.run() == 1);
  CHECK(f.op(charge->id).replaced_by.has_value());
  CHECK(f.settling_ops("c1").back().idempotency_key == "c1:charge:remainder");
  CHECK(f.blocked("fp-1"));
}

TEST_CASE("a card's declined remainder retried by an operator goes out as a new attempt, new key and op_key, and is paid") {
  CardSettlementFixture f;
  f.admit_card("c1", "fp-1");
  f.record_carts({final_cart("c1", 4500, "EUR")});
  CHECK(f.planner.run() == 1);
  f.start_card_drainer();
  drain(f, Charges::declined);
  const std::int64_t rest = f.settling_ops("c1").back().id;
  REQUIRE(f.op(rest).idempotency_key == "c1:charge:remainder");
  // The first retry sends it with its own key: declined again (the card still cannot pay).
  REQUIRE(f.queue.retry(rest, db::AuditActor{"alice"}, f.now_ms()).ok());
  f.drainer->kick();
  drain(f, Charges::declined);
  REQUIRE(f.op(rest).state == PaymentOpState::declined);
  CHECK(f.blocked("fp-1"));
  // A day later the card can pay. Its own key would only bring the stored decline back (and
  // a lookup, the declined PaymentIntent): the retry is a new attempt.
  f.vt.advance(std::chrono::hours(24));
  const std::size_t sent_before = f.gateway.sent.size();
  REQUIRE(f.queue.retry(rest, db::AuditActor{"alice"}, f.now_ms()).ok());
  REQUIRE(f.op(rest).replaced_by.has_value());
  const std::int64_t attempt = *f.op(rest).replaced_by;
  CHECK(f.blocked("fp-1"));  // still listed while the new attempt is under way
  f.drainer->kick();
  drain(f);
  CHECK(f.gateway.searches.empty());  // sent, not looked up
  REQUIRE(f.gateway.sent.size() == sent_before + 1);
  const PaymentRequest& sent = f.gateway.sent.back();
  CHECK(sent.idempotency_key == "c1:charge:remainder:retry1");
  CHECK(sent.op_key == "charge:remainder:retry1");
  CHECK(sent.amount_minor == 1500);
  CHECK(sent.payment_method == "pm_saved_fp-1");
  CHECK(f.op(attempt).state == PaymentOpState::succeeded);
  CHECK(f.op(rest).state == PaymentOpState::declined);  // settled by the new attempt
  CHECK_FALSE(db::is_dead_letter(f.op(rest).state, f.op(rest).alert));
  CHECK_FALSE(f.blocked("fp-1"));
  CHECK(f.planner.run() == 0);
}

TEST_CASE("a hold past its capture_before by this box's clock is captured all the same: the clock may be ahead") {
  CardSettlementFixture f;
  const bool saved = GENERATE(true, false);
  const std::int64_t total = GENERATE(2000, 4500);  // within the hold, above it
  f.admit_card("c1", "fp-1", TestCard::with(saved, f.now_ms() / 1000 + 3600));
  f.vt.advance(std::chrono::hours(2));
  f.record_carts({final_cart("c1", total, "EUR")});
  CHECK(f.planner.run() == 1);
  const auto ops = f.settling_ops("c1");
  REQUIRE_FALSE(ops.empty());
  CHECK(ops[0].op == "capture");
  CHECK(ops[0].amount_minor == std::min<std::int64_t>(total, 3000));
  for (const auto& op : ops) CHECK(op.op != "void");
  // The hold still stands at the network: its capture goes through, nothing else is charged.
  f.start_card_drainer();
  drain(f);
  CHECK(f.op(ops[0].id).state == PaymentOpState::succeeded);
  std::int64_t charged = 0;
  for (const auto& sent : f.gateway.sent) {
    CHECK(sent.op != PaymentOpKind::void_hold);
    if (sent.op == PaymentOpKind::charge) charged += sent.amount_minor;
  }
  CHECK(charged == (saved ? total - std::min<std::int64_t>(total, 3000) : 0));
  CHECK(f.blocked("fp-1") == (!saved && total > 3000));
}

TEST_CASE("a card hold near its capture_before with no final cart raises an alert once, before it lapses") {
  CapturedLog log;
  CardSettlementFixture f;
  f.admit_card("c1", "fp-1", TestCard::with(true, f.now_ms() / 1000 + 3 * 3600));
  f.admit_card("c2", "fp-2", TestCard{}, 2);  // a week
  (void)f.planner.run();
  CHECK(f.card_planner.holds_near_lapse() == 0);
  f.vt.advance(std::chrono::minutes(121));
  (void)f.planner.run();
  (void)f.planner.run();
  CHECK(f.card_planner.holds_near_lapse() == 1);
  CHECK(log.count("event=card_hold_near_lapse session=c1") == 1);
  CHECK(log.count("session=c2") == 0);
  f.record_carts({final_cart("c1", 100, "EUR")});
  CHECK(f.planner.run() == 1);
  CHECK(f.card_planner.holds_near_lapse() == 1);  // watched until its capture goes through
  f.start_card_drainer();
  drain(f);
  CHECK(f.settling_ops("c1").front().state == PaymentOpState::succeeded);
  CHECK(f.card_planner.holds_near_lapse() == 0);
  CHECK(log.count("event=card_hold_near_lapse session=c1") == 1);
}

TEST_CASE("a card session is settled once, by the card path only, never by the app path") {
  const bool wired = GENERATE(true, false);
  CardSettlementFixture f({}, wired);
  f.add_session("app");
  f.admit_card("c1", "fp-1");
  f.record_carts({final_cart("app", 700), final_cart("c1", 700, "EUR")});
  CHECK(f.planner.run() == (wired ? 2 : 1));
  CHECK(f.settlement("app")->decision.plan == "charge");
  if (!wired) {
    CHECK_FALSE(f.settlement("c1").has_value());
    CHECK(f.settling_ops("c1").empty());
    return;
  }
  CHECK(f.settlement("c1")->decision.plan == "card:capture");
  CHECK(f.planner.run() == 0);
  CHECK(f.settling_ops("c1").size() == 1);
  const auto again = f.cards.settle(f.settlement("c1")->decision, {}, std::nullopt, f.now_ms());
  REQUIRE_FALSE(again.ok());
  CHECK(again.error().code == "already_settled");
}

TEST_CASE("nothing is settled for a card attempt that was held but not admitted") {
  CardSettlementFixture f;
  f.hold_card("c1", "fp-1");
  f.record_carts({final_cart("c1", 700, "EUR")});  // a cart of a session the gate never opened
  CHECK(f.planner.run() == 0);
  CHECK_FALSE(f.settlement("c1").has_value());
  CHECK(f.ops_of("c1").empty());
}

TEST_CASE("a charge of the rest the gateway refuses for the gate's own fault is a dead letter, the card not blocklisted") {
  CardSettlementFixture f;
  f.admit_card("c1", "fp-1");
  f.record_carts({final_cart("c1", 4500, "EUR")});
  CHECK(f.planner.run() == 1);
  f.start_card_drainer();
  drain(f, Charges::refused);  // an expired API key: 401
  const auto ops = f.settling_ops("c1");
  REQUIRE(ops.size() == 2);
  CHECK(ops[0].state == PaymentOpState::succeeded);  // the hold captured
  CHECK(ops[1].idempotency_key == "c1:charge");
  CHECK(db::is_dead_letter(ops[1].state, ops[1].alert));  // for an operator to retry once the key is fixed
  CHECK_FALSE(f.blocked("fp-1"));
}
