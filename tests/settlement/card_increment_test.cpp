// A card cart above a hold that supports incremental authorization raises the hold to the
// total ("<sid>:increment", the same key on every send) and captures the total once the
// increment went through; a declined (402) or refused (400: not supported, a hold no longer
// requires_capture) increment is settled by the next row (capture the hold, then the charge
// of the rest or the rest unpaid) and leaves no dead letter that would keep the card on the
// blocklist. An increment whose answer was lost is resolved by reading its hold: raised, it
// succeeded; not raised, it is sent again with its key; gone, the cart is charged to the saved
// card (or left unpaid without one). A refused increment's hold is read too: gone, the cart is
// charged once, the gone hold never captured; otherwise the refusal stands, never resent.
#include <catch2/catch.hpp>

#include "controller/settlement/hold_check.hpp"
#include "tests/settlement/card_settlement_fixture.hpp"

using namespace passgate;
using namespace passgate::test;
using db::PaymentOpState;

namespace {

constexpr std::int64_t kCart = 4500;  // above the fixture's 30.00 EUR hold

// Card session c1 (card fp-1 supporting incremental authorization, saved or a wallet) with a
// cart of kCart, planned, its drainer started.
void incremental_session_planned(CardSettlementFixture& f, bool saved = true) {
  TestCard card = TestCard::with(saved);
  card.incremental = true;
  f.admit_card("c1", "fp-1", card);
  f.record_carts({final_cart("c1", kCart, "EUR")});
  REQUIRE(f.planner.run() == 1);
  f.start_card_drainer();
}

// The requests of `op` the gateway was sent.
std::vector<PaymentRequest> sent_of(const CardSettlementFixture& f, PaymentOpKind op) {
  std::vector<PaymentRequest> out;
  for (const auto& sent : f.gateway.sent)
    if (sent.op == op) out.push_back(sent);
  return out;
}

// An operator writes off c1's increment `id` (sent once, not raised): the hold is captured and
// the rest charged to the saved card (or left unpaid, the card listed, without one).
void written_off_then_next_row(CardSettlementFixture& f, std::int64_t id, bool saved) {
  REQUIRE(f.queue.write_off(id, "looked at the gateway: not raised", db::AuditActor{"alice"}, f.now_ms()).ok());
  drain_card(f, [](const FakeGateway::Call&) { return std::nullopt; });
  const auto ops = f.settling_ops("c1");
  REQUIRE(ops.size() == 3);
  CHECK(ops[0].state == PaymentOpState::written_off);
  CHECK(ops[1].op == "capture");
  CHECK(ops[1].amount_minor == 3000);
  CHECK(ops[1].state == PaymentOpState::succeeded);
  CHECK(ops[2].amount_minor == 1500);
  check_rest_of_c1(f, ops[2], saved, PaymentOpState::succeeded);
  CHECK(sent_of(f, PaymentOpKind::increment).size() == 1);
}

// Answers the increment with `outcome` (its first `times` sends), reads the hold with `read`,
// approves the rest.
CardAnswer increment_answered(PaymentOutcome outcome, int times = 1,
                              std::function<PaymentOutcome(const std::string&)> read = nullptr) {
  auto sends = std::make_shared<int>(0);
  return [=](const FakeGateway::Call& call) -> std::optional<PaymentOutcome> {
    if (!call.searched_session.empty()) {
      REQUIRE(read);
      return read(call.searched_session);
    }
    if (call.request.op == PaymentOpKind::increment && (*sends)++ < times) return outcome;
    return std::nullopt;
  };
}

// The hold of c1 as read after the increment: requires_capture with `capturable`, or `status`.
std::function<PaymentOutcome(const std::string&)> hold_reads(std::int64_t capturable,
                                                             const std::string& status = "requires_capture") {
  return [=](const std::string& sid) {
    const std::int64_t amount = std::max<std::int64_t>(capturable, 3000);
    return hold_found(sid, status, 0, status == "requires_capture" ? capturable : 0, amount);
  };
}

// An answer lost after the request was written: a time-out (status 0) or a 5xx.
PaymentOutcome lost(int http_status) {
  PaymentOutcome o = FakeGateway::outcome(PaymentOutcomeKind::unknown, http_status, "lost");
  o.sends = 1;
  return o;
}

// The session settled by the capture of the whole cart after its increment.
void check_increment_then_capture(CardSettlementFixture& f, std::size_t increments_sent) {
  const auto increments = sent_of(f, PaymentOpKind::increment);
  REQUIRE(increments.size() == increments_sent);
  for (const auto& sent : increments) {
    CHECK(sent.idempotency_key == "c1:increment");
    CHECK(sent.amount_minor == kCart);
    CHECK(sent.intent_id == "pi_c1");
  }
  const auto captures = sent_of(f, PaymentOpKind::capture);
  REQUIRE(captures.size() == 1);
  CHECK(captures[0].amount_minor == kCart);
  CHECK(sent_of(f, PaymentOpKind::charge).empty());
  const auto ops = f.settling_ops("c1");
  REQUIRE(ops.size() == 2);
  CHECK(ops[0].op == "increment");
  CHECK(ops[0].state == PaymentOpState::succeeded);
  CHECK(ops[1].op == "capture");
  CHECK(ops[1].state == PaymentOpState::succeeded);
  CHECK_FALSE(f.blocked("fp-1"));
  CHECK(f.planner.run() == 0);
}

}  // namespace

TEST_CASE("a card cart above an incremental hold plans an increment to the total, saved card or wallet") {
  const bool saved = GENERATE(true, false);
  controller::CardHold hold;
  hold.amount_minor = 3000;
  hold.currency = "EUR";
  hold.intent_id = "pi_c1";
  hold.fingerprint_hash = "h";
  hold.card_saved = saved;
  hold.incremental = true;
  const auto plan = controller::plan_card_settlement("c1", final_cart("c1", kCart, "EUR"), hold);
  CHECK(plan.decision.plan == "card:increment+capture");
  REQUIRE(plan.ops.size() == 1);
  CHECK(plan.ops[0].op == "increment");
  CHECK(plan.ops[0].amount_minor == kCart);
  CHECK(plan.ops[0].intent_id == "pi_c1");
  CHECK_FALSE(plan.unpaid);
  // Within the hold, in another currency, or without support: no increment.
  CHECK(controller::plan_card_settlement("c1", final_cart("c1", 3000, "EUR"), hold).decision.plan == "card:capture");
  CHECK(controller::plan_card_settlement("c1", final_cart("c1", kCart, "USD"), hold).ops[0].op == "void");
  hold.incremental = false;
  CHECK(controller::plan_card_settlement("c1", final_cart("c1", kCart, "EUR"), hold).decision.plan ==
        (saved ? "card:capture+charge" : "card:capture+unpaid"));
}

TEST_CASE("an increment that goes through is followed by the capture of the whole cart, nothing charged") {
  CardSettlementFixture f;
  incremental_session_planned(f, GENERATE(true, false));
  CHECK(f.settlement("c1")->decision.plan == "card:increment+capture");
  drain_card(f, [](const FakeGateway::Call&) { return std::nullopt; });
  check_increment_then_capture(f, 1);
  CHECK(f.gateway.searches.empty());
}

TEST_CASE("an increment declined (402) or refused (400 not supported) is settled by capture H, then the rest") {
  const bool declined = GENERATE(true, false);
  const bool saved = GENERATE(true, false);
  CAPTURE(declined, saved);
  CardSettlementFixture f;
  incremental_session_planned(f, saved);
  drain_card(f, increment_answered(declined ? FakeGateway::outcome(PaymentOutcomeKind::declined, 402, "card_declined")
                                            : FakeGateway::outcome(PaymentOutcomeKind::rejected, 400,
                                                                   "incremental_authorization_not_supported"),
                                   1, hold_reads(3000)));
  CHECK(sent_of(f, PaymentOpKind::increment).size() == 1);  // never resent
  CHECK(f.gateway.searches == std::vector<std::string>{"c1"});  // the hold read: it stands
  const auto captures = sent_of(f, PaymentOpKind::capture);
  REQUIRE(captures.size() == 1);
  CHECK(captures[0].amount_minor == 3000);
  const auto ops = f.settling_ops("c1");
  REQUIRE(ops.size() == 3);
  CHECK(ops[0].state == PaymentOpState::declined);  // a refusal the design names is recorded as one
  CHECK(ops[0].replaced_by == ops[1].id);
  CHECK_FALSE(db::is_dead_letter(ops[0].state, ops[0].alert));
  CHECK(ops[1].op == "capture");
  CHECK(ops[1].state == PaymentOpState::succeeded);
  CHECK(ops[2].amount_minor == 1500);
  check_rest_of_c1(f, ops[2], saved, PaymentOpState::succeeded);
}

TEST_CASE("an increment whose answer was lost is resolved by reading its hold: raised, it succeeded, never resent") {
  CardSettlementFixture f;
  incremental_session_planned(f);
  drain_card(f, increment_answered(lost(0), 1, hold_reads(kCart)));
  CHECK(f.gateway.searches == std::vector<std::string>{"c1"});
  check_increment_then_capture(f, 1);
}

TEST_CASE("an increment whose answer was lost (time-out or 5xx) and whose hold is not raised is sent again, same key") {
  const int status = GENERATE(0, 503);
  CAPTURE(status);
  CardSettlementFixture f;
  incremental_session_planned(f);
  drain_card(f, increment_answered(lost(status), 1, hold_reads(3000)));
  CHECK(f.gateway.searches == std::vector<std::string>{"c1"});
  check_increment_then_capture(f, 2);
}

TEST_CASE("an increment never written (connection refused) or answered 409/429 is sent again, its hold not read") {
  db::PaymentOpRecord increment;
  increment.op = "increment";
  increment.intent_id = "pi_c1";
  PaymentOutcome refused = FakeGateway::outcome(PaymentOutcomeKind::unknown, 0, "connection refused");
  refused.sends = 0;
  CHECK_FALSE(controller::needs_hold_check(increment, refused));
  CHECK_FALSE(controller::needs_hold_check(increment, FakeGateway::outcome(PaymentOutcomeKind::retry_later, 429)));
  CHECK(controller::needs_hold_check(increment, lost(0)));
  // (A refusal is read, never resent: below.)
  CHECK(controller::needs_hold_check(increment, FakeGateway::outcome(PaymentOutcomeKind::declined, 402)));
  CHECK(controller::needs_hold_check(increment, FakeGateway::outcome(PaymentOutcomeKind::rejected, 400)));
}

TEST_CASE("an increment refused on a hold that is gone charges the whole cart once, the gone hold never captured") {
  // Refused on its one send, or on the send after a lost answer whose read showed the hold
  // still at H (the hold lapsed in between): both are settled alike.
  const bool after_lost = GENERATE(false, true);
  const bool saved = GENERATE(true, false);
  CAPTURE(after_lost, saved);
  CardSettlementFixture f;
  incremental_session_planned(f, saved);
  auto sends = std::make_shared<int>(0);
  auto reads = std::make_shared<int>(0);
  drain_card(f, [=](const FakeGateway::Call& call) -> std::optional<PaymentOutcome> {
    if (!call.searched_session.empty()) {
      const bool still_held = after_lost && (*reads)++ == 0;
      return still_held ? hold_found(call.searched_session, "requires_capture", 0, 3000)
                        : hold_found(call.searched_session, "canceled", 0);
    }
    if (call.request.op != PaymentOpKind::increment) return std::nullopt;
    if (after_lost && (*sends)++ == 0) return lost(503);
    return FakeGateway::outcome(PaymentOutcomeKind::rejected, 400, "payment_intent_unexpected_state");
  });
  CHECK(sent_of(f, PaymentOpKind::increment).size() == (after_lost ? 2U : 1U));
  CHECK(sent_of(f, PaymentOpKind::capture).empty());  // nothing sent to the gone hold
  const auto ops = f.settling_ops("c1");
  REQUIRE(ops.size() == 2);
  CHECK(ops[0].hold_canceled);
  CHECK(ops[0].replaced_by == ops[1].id);
  CHECK_FALSE(db::is_dead_letter(ops[0].state, ops[0].alert));
  CHECK(ops[1].amount_minor == kCart);  // one charge of the whole cart
  if (saved) {
    CHECK(ops[1].idempotency_key == "c1:charge:capture");
    CHECK(ops[1].state == PaymentOpState::succeeded);
    CHECK_FALSE(f.blocked("fp-1"));
  } else {
    CHECK(ops[1].idempotency_key == "c1:charge:capture:remainder");
    CHECK(db::is_dead_letter(ops[1].state, ops[1].alert));
    CHECK(f.blocked("fp-1"));
  }
  CHECK(f.planner.run() == 0);
}

TEST_CASE("an increment declined whose hold cannot be read now is settled by the next row at once, never resent") {
  CardSettlementFixture f;
  incremental_session_planned(f);
  const auto unreadable = [](const std::string&) { return FakeGateway::outcome(PaymentOutcomeKind::unknown, 503); };
  drain_card(f, increment_answered(FakeGateway::outcome(PaymentOutcomeKind::declined, 402, "card_declined"), 1,
                                   unreadable));
  CHECK(sent_of(f, PaymentOpKind::increment).size() == 1);
  const auto ops = f.settling_ops("c1");
  REQUIRE(ops.size() == 3);
  CHECK(ops[0].state == PaymentOpState::declined);
  CHECK(f.gateway.searches == std::vector<std::string>{"c1"});  // read once, not again
  CHECK(ops[1].op == "capture");
  CHECK(ops[1].amount_minor == 3000);
  CHECK(ops[2].amount_minor == 1500);
}

TEST_CASE("an increment refused whose hold reads raised to the total after all is taken as done: the total captured") {
  CardSettlementFixture f;
  incremental_session_planned(f);
  drain_card(f, increment_answered(FakeGateway::outcome(PaymentOutcomeKind::rejected, 400,
                                                        "payment_intent_unexpected_state"),
                                   1, hold_reads(kCart)));
  check_increment_then_capture(f, 1);
}

TEST_CASE("an increment whose answer was lost and whose hold is gone charges the cart to the saved card instead") {
  const bool saved = GENERATE(true, false);
  CAPTURE(saved);
  CardSettlementFixture f;
  incremental_session_planned(f, saved);
  drain_card(f, increment_answered(lost(0), 1, hold_reads(0, "canceled")));
  CHECK(sent_of(f, PaymentOpKind::increment).size() == 1);
  CHECK(sent_of(f, PaymentOpKind::capture).empty());
  const auto ops = f.settling_ops("c1");
  REQUIRE(ops.size() == 2);
  CHECK(ops[0].hold_canceled);
  CHECK(ops[0].replaced_by == ops[1].id);
  CHECK_FALSE(db::is_dead_letter(ops[0].state, ops[0].alert));
  if (saved) {
    CHECK(ops[1].idempotency_key == "c1:charge:capture");
    CHECK(ops[1].amount_minor == kCart);
    CHECK(ops[1].state == PaymentOpState::succeeded);
    CHECK_FALSE(f.blocked("fp-1"));
  } else {
    CHECK(ops[1].idempotency_key == "c1:charge:capture:remainder");
    CHECK(ops[1].amount_minor == kCart);
    CHECK(db::is_dead_letter(ops[1].state, ops[1].alert));
    CHECK(f.blocked("fp-1"));
  }
}

TEST_CASE("an increment whose answer was lost and whose hold reads captured is unverified, for a person") {
  CardSettlementFixture f;
  incremental_session_planned(f);
  const auto captured = [](const std::string& sid) { return hold_found(sid, "succeeded", 3000); };
  drain_card(f, increment_answered(lost(503), 1, captured));
  const auto ops = f.settling_ops("c1");
  REQUIRE(ops.size() == 1);
  CHECK(ops[0].state == PaymentOpState::dead);
  CHECK(ops[0].unverified);
  CHECK_THAT(ops[0].last_error,
             Catch::Contains("the increment's answer was lost") && Catch::Contains("money may have moved"));
  CHECK(sent_of(f, PaymentOpKind::capture).empty());
}

TEST_CASE("a declined increment is settled by the next row, and paying the rest lifts the card's blocklist entry") {
  CardSettlementFixture f;
  const auto failed = PaymentOpState::declined;  // (a dead one waits for an operator)
  TestCard wallet = TestCard::with(false);
  wallet.incremental = true;
  f.admit_card("c1", "fp-1", wallet);
  f.record_carts({final_cart("c1", kCart, "EUR")});
  CHECK(f.planner.run() == 1);
  CHECK(f.settlement("c1")->decision.plan == "card:increment+capture");
  auto planned = f.settling_ops("c1");
  REQUIRE(planned.size() == 1);
  f.conclude(planned[0].id, failed);

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

TEST_CASE("an increment refused for the gate's own fault (401/403/404/other 400) stays dead; written off, next row") {
  const int status = GENERATE(401, 403, 404, 400);
  const bool saved = GENERATE(true, false);
  CAPTURE(status, saved);
  CardSettlementFixture f;
  incremental_session_planned(f, saved);
  const std::string code = status == 400 ? "idempotency_error" : status == 404 ? "resource_missing" : "";
  drain_card(f, increment_answered(FakeGateway::outcome(PaymentOutcomeKind::rejected, status, code), 1,
                                   hold_reads(3000)));
  auto ops = f.settling_ops("c1");
  REQUIRE(ops.size() == 1);
  CHECK(ops[0].state == PaymentOpState::dead);
  CHECK(db::is_dead_letter(ops[0].state, ops[0].alert));
  CHECK_FALSE(ops[0].replaced_by);
  CHECK(f.planner.run() == 0);  // no capture of H, no rest charged or left unpaid
  CHECK(sent_of(f, PaymentOpKind::capture).empty());
  CHECK_FALSE(f.blocked("fp-1"));

  written_off_then_next_row(f, ops[0].id, saved);
}

TEST_CASE("an unverified increment waits for an operator; written off, the hold is captured and the rest charged") {
  CardSettlementFixture f;
  incremental_session_planned(f);
  drain_card(f, increment_answered(FakeGateway::outcome(PaymentOutcomeKind::unverified, 200, "amount misstated")));
  auto ops = f.settling_ops("c1");
  REQUIRE(ops.size() == 1);
  CHECK(ops[0].unverified);
  CHECK(f.planner.run() == 0);  // nothing follows by itself

  written_off_then_next_row(f, ops[0].id, true);
}
