// A card capture the gateway declines or refuses is followed up from its hold's PaymentIntent,
// read at once (the PaymentIntent's status is the truth): a hold that lapsed or was cancelled
// with nothing received is replaced by a charge of the capture's amount to the saved card (or
// an unpaid remainder and the blocklist without one), the rest above the hold charged once
// either way; a capture found done is recorded done; a read that fails for now sends the
// capture again with its key. A hold is watched until its capture has gone through.
#include <catch2/catch.hpp>

#include <functional>

#include "tests/settlement/card_settlement_fixture.hpp"
#include "tests/support/captured_log.hpp"

using namespace passgate;
using namespace passgate::test;
using db::PaymentOpState;

namespace {

// How the gateway answers: a capture (nullopt: approved), and the search that reads the hold.
struct LostHoldGateway {
  std::optional<PaymentOutcome> capture = FakeGateway::outcome(PaymentOutcomeKind::rejected, 400,
                                                               "payment_intent_unexpected_state");
  std::function<PaymentOutcome(const std::string& sid)> read;
  bool decline_charges = false;
};

// The gateway refusing captures, reading holds with `read`.
LostHoldGateway refusing_captures(std::function<PaymentOutcome(const std::string& sid)> read,
                                  bool decline_charges = false) {
  LostHoldGateway answers;
  answers.read = std::move(read);
  answers.decline_charges = decline_charges;
  return answers;
}

// The hold as the gateway shows it once the capture was refused.
std::function<PaymentOutcome(const std::string& sid)> shows(const std::string& status, std::int64_t received) {
  return [status, received](const std::string& sid) { return hold_found(sid, status, received); };
}

// Sends every due operation and runs the planner, the gateway answering as `answers` says
// (everything else approved).
void drain_lost(CardSettlementFixture& f, const LostHoldGateway& answers) {
  drain_card(f, [&answers](const FakeGateway::Call& call) -> std::optional<PaymentOutcome> {
    if (!call.searched_session.empty()) return answers.read(call.searched_session);
    if (call.request.op == PaymentOpKind::capture && answers.capture) return answers.capture;
    if (call.request.op == PaymentOpKind::charge && answers.decline_charges) {
      return FakeGateway::outcome(PaymentOutcomeKind::declined, 402, "card_declined");
    }
    return std::nullopt;
  });
}

std::int64_t charged(const CardSettlementFixture& f) {
  std::int64_t sum = 0;
  for (const auto& sent : f.gateway.sent)
    if (sent.op == PaymentOpKind::charge) sum += sent.amount_minor;
  return sum;
}

// Card session c1 (card fp-1, hold 30.00 EUR) with a final cart of `total`, planned and its drainer started.
void card_session_planned(CardSettlementFixture& f, std::int64_t total) {
  f.admit_card("c1", "fp-1");
  f.record_carts({final_cart("c1", total, "EUR")});
  CHECK(f.planner.run() == 1);
  f.start_card_drainer();
}

}  // namespace

TEST_CASE("a card capture refused after its hold lapsed is replaced by a charge of its amount, the rest charged once") {
  CapturedLog log;
  CardSettlementFixture f;
  const std::int64_t total = GENERATE(4164, 2500);  // above the hold (capture + charge), within it (capture)
  f.admit_card("c1", "fp-1");
  f.record_carts({final_cart("c1", total, "EUR")});
  CHECK(f.planner.run() == 1);
  f.start_card_drainer();
  drain_lost(f, refusing_captures(shows("canceled", 0)));
  const std::int64_t captured = std::min<std::int64_t>(total, 3000);
  const auto ops = f.settling_ops("c1");
  const auto capture = std::find_if(ops.begin(), ops.end(), [](const auto& o) { return o.op == "capture"; });
  const auto instead = std::find_if(ops.begin(), ops.end(),
                                    [](const auto& o) { return o.idempotency_key == "c1:charge:capture"; });
  REQUIRE(capture != ops.end());
  REQUIRE(instead != ops.end());
  CHECK(capture->hold_canceled);
  CHECK(capture->replaced_by == instead->id);
  CHECK_FALSE(db::is_dead_letter(capture->state, capture->alert));
  CHECK(instead->amount_minor == captured);
  CHECK(instead->state == PaymentOpState::succeeded);
  // The whole cart is collected, once: the capture's part in its place, the rest by its own charge.
  CHECK(charged(f) == total);
  for (const auto& sent : f.gateway.sent) {
    if (sent.op != PaymentOpKind::charge) continue;
    CHECK(sent.customer == "cus_c1");
    CHECK(sent.payment_method == "pm_saved_fp-1");
  }
  CHECK(f.gateway.searches == std::vector<std::string>{"c1"});
  CHECK_FALSE(f.blocked("fp-1"));
  CHECK(log.count("event=payment_hold_canceled op_id=") == 1);
  CHECK(log.text().find("pi_c1") == std::string::npos);
  CHECK(f.planner.run() == 0);
}

TEST_CASE("a cart final after its hold's capture_before is captured; the hold gone, one charge of the cart replaces it") {
  CardSettlementFixture f;
  f.admit_card("c1", "fp-1", TestCard::with(true, f.now_ms() / 1000 + 3600));
  f.vt.advance(std::chrono::hours(2));
  f.record_carts({final_cart("c1", 2000, "EUR")});
  CHECK(f.planner.run() == 1);
  CHECK(f.settlement("c1")->decision.plan == "card:capture");
  f.start_card_drainer();
  drain_lost(f, refusing_captures(shows("canceled", 0)));
  const auto ops = f.settling_ops("c1");
  REQUIRE(ops.size() == 2);
  CHECK(ops[0].op == "capture");
  CHECK(ops[0].hold_canceled);
  CHECK(ops[1].idempotency_key == "c1:charge:capture");
  CHECK(ops[1].amount_minor == 2000);
  CHECK(ops[1].state == PaymentOpState::succeeded);
  CHECK(charged(f) == 2000);  // the whole cart, in a single charge
  for (const auto& sent : f.gateway.sent) CHECK(sent.op != PaymentOpKind::void_hold);
  CHECK_FALSE(f.blocked("fp-1"));
}

TEST_CASE("a wallet's capture refused after its hold lapsed leaves its amount unpaid and the card on the blocklist") {
  CardSettlementFixture f;
  f.admit_card("c1", "fp-wallet", TestCard::with(false));
  f.record_carts({final_cart("c1", 4500, "EUR")});  // the rest (15.00) unpaid at once
  CHECK(f.planner.run() == 1);
  f.start_card_drainer();
  drain_lost(f, refusing_captures(shows("canceled", 0)));
  const auto ops = f.settling_ops("c1");
  REQUIRE(ops.size() == 3);
  CHECK(ops[1].idempotency_key == "c1:charge:remainder");
  CHECK(ops[1].amount_minor == 1500);
  CHECK(ops[2].idempotency_key == "c1:charge:capture:remainder");
  CHECK(ops[2].amount_minor == 3000);
  CHECK(db::is_dead_letter(ops[2].state, ops[2].alert));
  CHECK_THAT(ops[2].last_error, Catch::Contains("30.00 EUR unpaid"));
  CHECK(ops[0].replaced_by == ops[2].id);
  CHECK(f.blocked("fp-wallet"));
  CHECK(charged(f) == 0);
}

TEST_CASE("a declined charge in place of a lost capture leaves its amount unpaid and the card on the blocklist") {
  CardSettlementFixture f;
  card_session_planned(f, 2500);
  drain_lost(f, refusing_captures(shows("canceled", 0), true));
  const auto ops = f.settling_ops("c1");
  REQUIRE(ops.size() == 3);
  CHECK(ops[1].idempotency_key == "c1:charge:capture");
  CHECK(ops[1].state == PaymentOpState::declined);
  CHECK(ops[1].replaced_by == ops[2].id);
  CHECK(ops[2].idempotency_key == "c1:charge:capture:remainder");
  CHECK(ops[2].amount_minor == 2500);
  CHECK(db::is_dead_letter(ops[2].state, ops[2].alert));
  CHECK(f.blocked("fp-1"));
}

TEST_CASE("a card capture answered refused although it went through is recorded done, nothing charged in its place") {
  CardSettlementFixture f;
  card_session_planned(f, 4500);
  drain_lost(f, refusing_captures(shows("succeeded", 3000)));
  const auto ops = f.settling_ops("c1");
  REQUIRE(ops.size() == 2);
  CHECK(ops[0].state == PaymentOpState::succeeded);
  CHECK(ops[1].idempotency_key == "c1:charge");
  CHECK(charged(f) == 1500);
  CHECK(f.planner.run() == 0);
}

TEST_CASE("a card capture refused while its hold still reads requires_capture is read again until a day past capture_before") {
  CardSettlementFixture f;
  // The hold lapses in 30 minutes; the capture is refused at once (its authorization expired
  // early, or the read lags), the network cancelling the hold only later.
  f.admit_card("c1", "fp-1", TestCard::with(true, f.now_ms() / 1000 + 1800));
  f.record_carts({final_cart("c1", 2500, "EUR")});
  CHECK(f.planner.run() == 1);
  f.start_card_drainer();
  int reads = 0;
  SECTION("the hold reads canceled a while later: replaced by a charge of its amount") {
    drain_lost(f, refusing_captures([&reads](const std::string& sid) {
                 return ++reads <= 2 ? hold_found(sid, "requires_capture", 0) : hold_found(sid, "canceled", 0);
               }));
    CHECK(reads == 3);
    const auto ops = f.settling_ops("c1");
    REQUIRE(ops.size() == 2);
    CHECK(ops[0].hold_canceled);
    CHECK(ops[1].idempotency_key == "c1:charge:capture");
    CHECK(ops[1].state == PaymentOpState::succeeded);
    CHECK(charged(f) == 2500);
  }
  SECTION("it still stands a day past capture_before: a dead letter with what the hold showed") {
    const auto standing = refusing_captures(shows("requires_capture", 0));
    drain_lost(f, standing);
    auto ops = f.settling_ops("c1");
    REQUIRE(ops.size() == 1);
    CHECK_FALSE(db::is_final(ops[0].state));  // read again (pending, or in flight again)
    CHECK_THAT(ops[0].last_error, Catch::Contains("still reads requires_capture"));
    f.vt.advance(std::chrono::hours(25));  // past capture_before + 24 h
    drain_lost(f, standing);
    ops = f.settling_ops("c1");
    REQUIRE(ops.size() == 1);
    CHECK(db::is_dead_letter(ops[0].state, ops[0].alert));
    CHECK_FALSE(ops[0].hold_canceled);
    CHECK_THAT(ops[0].last_error, Catch::Contains("the hold read afterwards: requires_capture"));
    CHECK(charged(f) == 0);
  }
}

TEST_CASE("a card capture refused while its hold, without capture_before, still stands is read again until 8 days past the hold") {
  CardSettlementFixture f;
  f.admit_card("c1", "fp-1");
  // The terminal said no capture_before (null or missing: it is not required).
  f.t.db->sql().exec("UPDATE card_attempts SET capture_before_s = NULL WHERE session_id = 'c1'");
  const std::int64_t held_at_ms = f.now_ms();
  f.record_carts({final_cart("c1", 2500, "EUR")});
  CHECK(f.planner.run() == 1);
  f.start_card_drainer();
  const auto standing = refusing_captures(shows("requires_capture", 0));
  drain_lost(f, standing);
  auto ops = f.settling_ops("c1");
  REQUIRE(ops.size() == 1);
  CHECK_FALSE(db::is_final(ops[0].state));  // read again (pending, or in flight again)
  CHECK_THAT(ops[0].last_error, Catch::Contains("still reads requires_capture"));
  f.vt.advance(std::chrono::hours(7 * 24));
  drain_lost(f, standing);
  ops = f.settling_ops("c1");
  CHECK_FALSE(db::is_final(ops[0].state));
  f.vt.advance(std::chrono::hours(24));  // past the hold's placing + 8 days
  drain_lost(f, standing);
  ops = f.settling_ops("c1");
  REQUIRE(ops.size() == 1);
  CHECK(f.now_ms() > held_at_ms + 8 * 24 * 3600 * 1000LL);
  CHECK(db::is_dead_letter(ops[0].state, ops[0].alert));
  CHECK_THAT(ops[0].last_error, Catch::Contains("the hold read afterwards: requires_capture"));
  CHECK(charged(f) == 0);
}

TEST_CASE("a card capture whose hold cannot be read for now is sent again with its key, then followed up") {
  CardSettlementFixture f;
  card_session_planned(f, 2500);
  int reads = 0;
  drain_lost(f, refusing_captures([&reads](const std::string& sid) {
               return ++reads == 1 ? FakeGateway::outcome(PaymentOutcomeKind::unknown, 503, "HTTP 503")
                                   : hold_found(sid, "canceled", 0);
             }));
  CHECK(reads == 2);
  std::size_t captures = 0;
  for (const auto& sent : f.gateway.sent) {
    if (sent.op == PaymentOpKind::capture) {
      ++captures;
      CHECK(sent.idempotency_key == "c1:capture");
    }
  }
  CHECK(captures == 2);
  CHECK(charged(f) == 2500);
}

TEST_CASE("a card hold stays watched near its capture_before until its capture has gone through") {
  CardSettlementFixture f;
  f.admit_card("c1", "fp-1", TestCard::with(true, f.now_ms() / 1000 + 1800));
  f.record_carts({final_cart("c1", 2500, "EUR")});
  CHECK(f.planner.run() == 1);
  CHECK(f.card_planner.holds_near_lapse() == 1);
  auto totals = f.queue.totals();
  REQUIRE(totals.ok());
  CHECK(totals->card_hold_deadlines_s.size() == 1);
  f.start_card_drainer();
  LostHoldGateway approving;
  approving.capture = std::nullopt;
  drain_lost(f, approving);
  CHECK(f.card_planner.holds_near_lapse() == 0);
  totals = f.queue.totals();
  REQUIRE(totals.ok());
  CHECK(totals->card_hold_deadlines_s.empty());
}

namespace {

// The capture's answers never come until its first attempt is older than search_after (23 h):
// its resend is then preceded by a lookup, whose answer the gateway owes when this returns.
void time_out_until_lookup(CardSettlementFixture& f) {
  for (int i = 0; i < 300 && f.gateway.searches.empty(); ++i) {
    f.vt.run_ready();
    while (!f.gateway.calls.empty() && f.gateway.calls.front().searched_session.empty()) {
      f.gateway.answer_oldest(FakeGateway::outcome(PaymentOutcomeKind::unknown, 0, "timeout after 10000 ms"));
    }
    f.vt.advance(std::chrono::minutes(10));
  }
  REQUIRE(f.gateway.searches.size() == 1);
}

}  // namespace

TEST_CASE("a card capture looked up after a day of time-outs that finds its hold lapsed is replaced by a charge of its amount") {
  CardSettlementFixture f;
  card_session_planned(f, 2500);
  time_out_until_lookup(f);  // the lookup finds the hold lapsed
  drain_lost(f, refusing_captures(shows("canceled", 0)));
  const auto ops = f.settling_ops("c1");
  const auto capture = std::find_if(ops.begin(), ops.end(), [](const auto& o) { return o.op == "capture"; });
  const auto instead = std::find_if(ops.begin(), ops.end(),
                                    [](const auto& o) { return o.idempotency_key == "c1:charge:capture"; });
  REQUIRE(capture != ops.end());
  REQUIRE(instead != ops.end());
  CHECK(capture->hold_canceled);
  CHECK(instead->state == PaymentOpState::succeeded);
  CHECK(charged(f) == 2500);
}

TEST_CASE("a card capture looked up late, its hold canceled but its session unreadable for now, is looked up again") {
  CardSettlementFixture f;
  card_session_planned(f, 2500);
  time_out_until_lookup(f);
  // When the lookup's answer comes, the card attempts cannot be read (a database error).
  f.t.db->sql().exec("ALTER TABLE card_attempts RENAME TO card_attempts_away");
  f.gateway.answer_oldest(hold_found("c1", "canceled", 0));
  f.vt.run_ready();
  f.t.db->sql().exec("ALTER TABLE card_attempts_away RENAME TO card_attempts");
  auto ops = f.settling_ops("c1");
  REQUIRE(ops.size() == 1);
  CHECK_FALSE(db::is_final(ops[0].state));  // an unknown outcome: not a dead letter
  CHECK_FALSE(ops[0].unverified);
  CHECK_THAT(ops[0].last_error, Catch::Contains("session could not be read"));
  // Looked up again after its backoff, its session read: followed up as a hold gone.
  f.vt.advance(std::chrono::minutes(10));
  drain_lost(f, refusing_captures(shows("canceled", 0)));
  ops = f.settling_ops("c1");
  REQUIRE(ops.size() == 2);
  CHECK(ops[0].hold_canceled);
  CHECK(ops[1].idempotency_key == "c1:charge:capture");
  CHECK(ops[1].state == PaymentOpState::succeeded);
  CHECK(charged(f) == 2500);
}

TEST_CASE("the charge replacing a lapsed hold's capture, looked up a day later, is not taken for the rest's equal charge") {
  CardSettlementFixture f;
  card_session_planned(f, 6000);  // H = 30.00, T = 60.00: the rest and the replacement are both 30.00
  // The session's PaymentIntents as a search shows them: the hold canceled, the rest paid.
  PaymentOutcome found = hold_found("c1", "canceled", 0);
  PaymentIntentView rest = found.found.front();
  rest.id = "pi_rest";
  rest.status = "succeeded";
  rest.amount_received = 3000;
  rest.op = "charge";
  rest.op_key = "charge";
  found.found.push_back(rest);
  std::vector<PaymentRequest> replacement;  // each send of c1:charge:capture
  bool reachable = false;                   // for the replacement: its sends lost until then
  const auto answer_calls = [&] {
    f.vt.run_ready();
    while (!f.gateway.calls.empty()) {
      const FakeGateway::Call& call = f.gateway.calls.front();
      if (!call.searched_session.empty()) {
        f.gateway.answer_oldest(found);
      } else if (call.request.op == PaymentOpKind::capture) {
        f.gateway.answer_oldest(FakeGateway::outcome(PaymentOutcomeKind::rejected, 400, "charge_expired_for_capture"));
      } else if (call.request.idempotency_key == "c1:charge:capture") {
        replacement.push_back(call.request);
        if (reachable) {
          f.gateway.approve_oldest();
        } else {  // lost before the gateway ran it
          f.gateway.answer_oldest(FakeGateway::outcome(PaymentOutcomeKind::unknown, 0, "connect: timed out"));
        }
      } else {
        f.gateway.approve_oldest();
      }
      f.vt.run_ready();
    }
  };
  const auto drain = [&] {
    for (int round = 0; round < 20; ++round) {
      answer_calls();
      (void)f.planner.run();
      f.vt.advance(std::chrono::seconds(2));
    }
  };
  drain();
  REQUIRE_FALSE(replacement.empty());
  CHECK(replacement.front().op_key == "charge:capture");  // which of the session's charges it is
  // Its sends lost for a day: its key may be forgotten by now, so it is looked up first.
  const auto searches_before = f.gateway.searches.size();
  for (int step = 0; step < 24 * 12; ++step) {
    f.vt.advance(std::chrono::minutes(5));
    answer_calls();
  }
  reachable = true;
  const auto sends_before = replacement.size();
  for (int step = 0; step < 10; ++step) {  // (the backoff after a day of failures: up to retry_max_ms and its jitter)
    f.vt.advance(std::chrono::minutes(1));
    answer_calls();
  }
  CHECK(f.gateway.searches.size() > searches_before);
  // The rest's success is not the replacement's: the replacement is sent again, and collected.
  CHECK(replacement.size() > sends_before);
  const auto ops = f.settling_ops("c1");
  const auto instead = std::find_if(ops.begin(), ops.end(),
                                    [](const auto& o) { return o.idempotency_key == "c1:charge:capture"; });
  REQUIRE(instead != ops.end());
  CHECK(instead->state == PaymentOpState::succeeded);
  CHECK(instead->intent_id != "pi_rest");
}
