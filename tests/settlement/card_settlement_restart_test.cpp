// Card settlement across crashes: the gate dies (no graceful stop: the drainer and its
// requests' answers are lost, posted work dropped) after every step of a card session's
// settlement, with the lost request run at the gateway or not, and starts again on the same
// database. Each time the session ends settled once: every operation sent only with its key,
// the gateway running each key once, the money matching the cart, and a declined charge leaving
// the rest a dead letter and the card on the blocklist.
#include <catch2/catch.hpp>

#include <map>

#include "tests/settlement/card_settlement_fixture.hpp"

using namespace passgate;
using namespace passgate::test;
using db::PaymentOpState;

namespace {

// The gateway's side: each key runs once; a key sent again gets the first answer (a replay),
// and must carry the same request.
struct KeyLedger {
  std::map<std::string, PaymentRequest> ran;
  std::map<std::string, PaymentOutcome> answers;
  bool decline_charges = false;

  PaymentOutcome run(const PaymentRequest& request) {
    if (auto found = answers.find(request.idempotency_key); found != answers.end()) {
      CHECK(ran[request.idempotency_key].amount_minor == request.amount_minor);
      CHECK(ran[request.idempotency_key].intent_id == request.intent_id);
      return found->second;
    }
    ran[request.idempotency_key] = request;
    PaymentOutcome answer = decline_charges && request.op == PaymentOpKind::charge
                                ? FakeGateway::outcome(PaymentOutcomeKind::declined, 402, "card_declined")
                                : FakeGateway::approval(request);
    answers[request.idempotency_key] = answer;
    return answer;
  }
  [[nodiscard]] std::int64_t collected() const {
    std::int64_t sum = 0;
    for (const auto& [key, request] : ran) {
      const PaymentOutcome& a = answers.at(key);
      if (a.kind == PaymentOutcomeKind::succeeded &&
          (request.op == PaymentOpKind::capture || request.op == PaymentOpKind::charge))
        sum += request.amount_minor;
    }
    return sum;
  }
};

// Runs the settlement of card session c1 (hold 30.00, cart `total`), crashing before step
// `crash_at` (counting every answer and every planner run); the lost request ran at the
// gateway when `ran_before_crash`. Whether the crash happened (false: fewer steps than that).
bool settle_with_crash(CardSettlementFixture& f, KeyLedger& ledger, int crash_at, bool ran_before_crash) {
  f.record_carts({final_cart("c1", 4500, "EUR")});
  f.start_card_drainer();
  int step = 0;
  bool crashed = false;
  const auto crash = [&] {
    crashed = true;
    if (ran_before_crash && !f.gateway.calls.empty()) (void)ledger.run(f.gateway.calls.front().request);
    f.drainer.reset();  // no stop(): what was in flight stays in flight on disk
    f.gateway.calls.clear();
    f.vt.drop_pending();
    f.start_card_drainer();
  };
  for (int round = 0; round < 40; ++round) {
    if (step++ == crash_at) crash();
    (void)f.planner.run();
    f.drainer->kick();
    f.vt.run_ready();
    while (!f.gateway.calls.empty()) {
      if (step++ == crash_at) {
        crash();
        break;
      }
      const PaymentRequest request = f.gateway.calls.front().request;
      f.gateway.answer_oldest(ledger.run(request));
      f.vt.run_ready();
    }
    f.vt.advance(std::chrono::seconds(5));
  }
  return crashed;
}

}  // namespace

TEST_CASE("a card session above its hold settles exactly once whatever step the gate crashes at") {
  const bool declined = GENERATE(false, true);
  const bool ran_before_crash = GENERATE(false, true);
  for (int crash_at = 0;; ++crash_at) {
    CAPTURE(declined, ran_before_crash, crash_at);
    CardSettlementFixture f;
    f.admit_card("c1", "fp-1");
    KeyLedger ledger;
    ledger.decline_charges = declined;
    const bool crashed = settle_with_crash(f, ledger, crash_at, ran_before_crash);
    // Only the session's own keys, each run once.
    for (const auto& [key, request] : ledger.ran) CHECK((key == "c1:capture" || key == "c1:charge"));
    CHECK(ledger.ran.count("c1:capture") == 1);
    CHECK(ledger.ran.at("c1:capture").amount_minor == 3000);
    CHECK(ledger.ran.count("c1:charge") == 1);
    const auto ops = f.settling_ops("c1");
    for (const auto& op : ops) CHECK(db::is_final(op.state));
    if (declined) {
      CHECK(ledger.collected() == 3000);
      REQUIRE(ops.size() == 3);
      CHECK(ops[2].idempotency_key == "c1:charge:remainder");
      CHECK(ops[2].amount_minor == 1500);
      CHECK(db::is_dead_letter(ops[2].state, ops[2].alert));
      CHECK(f.blocked("fp-1"));
    } else {
      CHECK(ledger.collected() == 4500);
      CHECK(ops.size() == 2);
      CHECK_FALSE(f.blocked("fp-1"));
    }
    if (!crashed) break;
  }
}

TEST_CASE("a card session within or without its hold settles exactly once whatever step the gate crashes at") {
  const std::int64_t total = GENERATE(0, 1200);
  const bool ran_before_crash = GENERATE(false, true);
  for (int crash_at = 0;; ++crash_at) {
    CAPTURE(total, ran_before_crash, crash_at);
    CardSettlementFixture f;
    f.admit_card("c1", "fp-1");
    f.record_carts({final_cart("c1", total, "EUR")});
    KeyLedger ledger;
    // (settle_with_crash records its own cart; this one came first and is kept.)
    const bool crashed = settle_with_crash(f, ledger, crash_at, ran_before_crash);
    CHECK(ledger.ran.size() == 1);
    CHECK(ledger.ran.count(total == 0 ? "c1:void" : "c1:capture") == 1);
    CHECK(ledger.collected() == total);
    for (const auto& op : f.settling_ops("c1")) CHECK(op.state == PaymentOpState::succeeded);
    if (!crashed) break;
  }
}
