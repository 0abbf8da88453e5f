// PaymentDrainer: what each gateway outcome does to an operation (succeeded, declined,
// rejected, unknown, 409), the retries with the same key after the backoff and never
// before, the payment reference opened for the request and kept out of the logs, gateway
// reachability, on_final.
#include <catch2/catch.hpp>

#include <SQLiteCpp/SQLiteCpp.h>

#include "tests/settlement/gateway_outcomes.hpp"
#include "tests/settlement/settlement_fixture.hpp"
#include "tests/support/captured_log.hpp"

using namespace passgate;
using namespace passgate::test;
using passgate::PaymentOpKind;
using passgate::PaymentOutcomeKind;
using db::PaymentOpState;

namespace {

struct DrainerFixture : SettlementFixture {
  std::vector<db::PaymentOpRecord> finals;

  controller::PaymentDrainer& start() {
    make_drainer().set_on_final([this](const db::PaymentOpRecord& op) { finals.push_back(op); });
    REQUIRE(db::test::describe(drainer->start()) == "ok");
    return *drainer;
  }
  std::optional<std::string> gateway_status() {
    auto value = gate_status.get("gateway");
    REQUIRE(db::test::describe(value) == "ok");
    if (!value->has_value()) return std::nullopt;
    return (*value)->value;
  }
  // Answers the oldest request with `outcome` and runs what follows.
  void answer(const passgate::PaymentOutcome& outcome) {
    REQUIRE_FALSE(gateway.calls.empty());
    gateway.answer_oldest(outcome);
    vt.run_ready();
  }
  // Moves time to just before `op`'s next attempt, checks nothing was resent, then to it.
  void advance_to_next_attempt(std::int64_t id) {
    const std::size_t sent = gateway.sent.size();
    const std::int64_t wait = op(id).next_attempt_at_ms - now_ms();
    REQUIRE(wait > 1);
    vt.advance(Millis{wait - 1});
    CHECK(gateway.sent.size() == sent);
    CHECK(op(id).state == PaymentOpState::pending);
    vt.advance(Millis{1});
  }
};

}  // namespace

TEST_CASE("a charge is sent with the payment reference opened from the session and ends succeeded") {
  DrainerFixture f;
  f.add_session("s1");
  const std::int64_t id = f.enqueue("s1", "charge", 1234);
  f.start();
  REQUIRE(f.gateway.sent.size() == 1);
  const passgate::PaymentRequest& request = f.gateway.sent[0];
  CHECK(request.op == PaymentOpKind::charge);
  CHECK(request.idempotency_key == "s1:charge");
  CHECK(request.session_id == "s1");
  CHECK(request.gate_id == kGateId);
  CHECK(request.amount_minor == 1234);
  CHECK(request.currency == "USD");
  CHECK(request.customer == kCustomer);
  CHECK(request.payment_method == kPaymentMethod);
  CHECK(f.op(id).state == PaymentOpState::in_flight);  // committed before the request
  CHECK(f.drainer->in_flight() == 1);

  f.answer(FakeGateway::approval(request));
  const db::PaymentOpRecord done = f.op(id);
  CHECK(done.state == PaymentOpState::succeeded);
  CHECK(done.intent_id == "pi_s1:charge");
  CHECK(done.attempts == 1);
  CHECK(f.drainer->in_flight() == 0);
  CHECK(f.drainer->counters().succeeded == 1);
  REQUIRE(f.finals.size() == 1);
  CHECK(f.finals[0].id == id);
  CHECK(f.finals[0].state == PaymentOpState::succeeded);
}

TEST_CASE("a preauth carries the payment reference, a capture and a void only the hold's intent") {
  DrainerFixture f;
  f.add_session("s1");
  f.add_session("s2");
  f.add_session("s3");
  f.enqueue("s1", "preauth", 5000);
  f.enqueue("s2", "capture", 1200, "pi_hold2");
  f.enqueue("s3", "void", 0, "pi_hold3");
  f.start();
  REQUIRE(f.gateway.sent.size() == 3);
  const auto& preauth = f.gateway.sent[0];
  CHECK(preauth.op == PaymentOpKind::preauth);
  CHECK(preauth.customer == kCustomer);
  CHECK(preauth.payment_method == kPaymentMethod);
  CHECK(preauth.intent_id.empty());
  for (const auto& hold_op : {f.gateway.sent[1], f.gateway.sent[2]}) {
    INFO(hold_op.idempotency_key);
    CHECK(hold_op.customer.empty());
    CHECK(hold_op.payment_method.empty());
  }
  CHECK(f.gateway.sent[1].op == PaymentOpKind::capture);
  CHECK(f.gateway.sent[1].intent_id == "pi_hold2");
  CHECK(f.gateway.sent[1].amount_minor == 1200);
  CHECK(f.gateway.sent[2].op == PaymentOpKind::void_hold);
  CHECK(f.gateway.sent[2].intent_id == "pi_hold3");
}

TEST_CASE("an unknown outcome returns the operation to pending and resends it with the same key after the backoff") {
  DrainerFixture f;
  f.add_session("s1");
  const std::int64_t id = f.enqueue("s1", "charge", 1234);
  f.start();
  const std::int64_t sent_at = f.now_ms();
  f.answer(FakeGateway::outcome(PaymentOutcomeKind::unknown, 0, "timeout after 10000 ms"));
  const db::PaymentOpRecord waiting = f.op(id);
  CHECK(waiting.state == PaymentOpState::pending);
  CHECK(waiting.last_error == "timeout after 10000 ms");
  // The first retry waits the first backoff (1 s) plus a jitter of up to half of it.
  CHECK(waiting.next_attempt_at_ms >= sent_at + 1000);
  CHECK(waiting.next_attempt_at_ms <= sent_at + 1500);
  CHECK(f.finals.empty());

  f.advance_to_next_attempt(id);
  REQUIRE(f.gateway.sent.size() == 2);
  CHECK(f.gateway.sent[1].idempotency_key == "s1:charge");
  CHECK(f.op(id).state == PaymentOpState::in_flight);
  CHECK(f.op(id).attempts == 2);

  // A 5xx is unknown too; the backoff grows.
  const std::int64_t second_at = f.now_ms();
  f.answer(FakeGateway::outcome(PaymentOutcomeKind::unknown, 503, "service unavailable"));
  CHECK(f.op(id).next_attempt_at_ms >= second_at + 2000);
  CHECK(f.op(id).next_attempt_at_ms <= second_at + 3000);
  f.advance_to_next_attempt(id);
  REQUIRE(f.gateway.sent.size() == 3);
  CHECK(f.gateway.sent[2].idempotency_key == "s1:charge");
  f.answer(FakeGateway::approval(f.gateway.sent[2]));
  CHECK(f.op(id).state == PaymentOpState::succeeded);
  CHECK(f.op(id).attempts == 3);
  CHECK(f.drainer->counters().retried == 2);
}

TEST_CASE("a 409 for the same key in progress is retried later with the same key") {
  DrainerFixture f;
  f.add_session("s1");
  const std::int64_t id = f.enqueue("s1", "charge", 1234);
  f.start();
  f.answer(FakeGateway::outcome(PaymentOutcomeKind::retry_later, 409, "idempotency_key_in_use"));
  CHECK(f.op(id).state == PaymentOpState::pending);
  CHECK(f.op(id).last_error == "idempotency_key_in_use");  // the gateway client puts the status in its text
  f.advance_to_next_attempt(id);
  REQUIRE(f.gateway.sent.size() == 2);
  CHECK(f.gateway.sent[1].idempotency_key == "s1:charge");
}

TEST_CASE("a decline is final: the operation is declined, in the dead-letter list, never resent") {
  DrainerFixture f;
  f.add_session("s1");
  const std::int64_t id = f.enqueue("s1", "charge", 1234);
  f.start();
  f.answer(FakeGateway::outcome(PaymentOutcomeKind::declined, 402, "Your card was declined."));
  const db::PaymentOpRecord declined = f.op(id);
  CHECK(declined.state == PaymentOpState::declined);
  CHECK(declined.last_error == "declined: card_declined");
  CHECK(f.queue.totals()->dead_letters == 1);
  REQUIRE(f.finals.size() == 1);
  CHECK(f.finals[0].state == PaymentOpState::declined);
  f.vt.advance(std::chrono::hours(1));
  CHECK(f.gateway.sent.size() == 1);
  CHECK(f.drainer->counters().declined == 1);
}

TEST_CASE("a rejected request is dead with its reason and never resent") {
  DrainerFixture f;
  f.add_session("s1");
  const std::int64_t id = f.enqueue("s1", "capture", 500, "pi_hold");
  f.start();
  f.answer(FakeGateway::outcome(PaymentOutcomeKind::rejected, 400, "idempotency_error: parameters differ"));
  const db::PaymentOpRecord dead = f.op(id);
  CHECK(dead.state == PaymentOpState::dead);
  CHECK(dead.last_error == "idempotency_error: parameters differ");
  CHECK(f.queue.totals()->dead_letters == 1);
  REQUIRE(f.finals.size() == 1);
  CHECK(f.finals[0].state == PaymentOpState::dead);
  f.vt.advance(std::chrono::hours(1));
  CHECK(f.gateway.sent.size() == 1);
}

TEST_CASE("a charge for a session without a payment reference is dead without asking the gateway") {
  DrainerFixture f;
  f.add_session("s1", false);
  const std::int64_t id = f.enqueue("s1", "charge", 1234);
  f.start();
  f.vt.run_ready();
  const db::PaymentOpRecord dead = f.op(id);
  CHECK(dead.state == PaymentOpState::dead);
  CHECK(dead.last_error == "the session has no payment reference");
  CHECK(f.gateway.sent.empty());
  REQUIRE(f.finals.size() == 1);
  f.vt.advance(std::chrono::hours(1));
  CHECK(f.gateway.sent.empty());
  CHECK(f.op(id).attempts == 1);
  CHECK_FALSE(f.gateway_status().has_value());  // the gateway was never asked
}

TEST_CASE("the gateway's reachability is published as it changes") {
  DrainerFixture f;
  f.add_session("s1");
  const std::int64_t id = f.enqueue("s1", "charge", 1234);
  f.start();
  CHECK_FALSE(f.gateway_status().has_value());
  CHECK_FALSE(f.drainer->gateway_reachable().has_value());

  f.answer(FakeGateway::outcome(PaymentOutcomeKind::unknown, 0, "connection refused"));
  CHECK(f.gateway_status() == "unreachable");
  CHECK(f.drainer->gateway_reachable() == false);

  f.advance_to_next_attempt(id);
  f.answer(FakeGateway::outcome(PaymentOutcomeKind::unknown, 502, "bad gateway"));
  CHECK(f.gateway_status() == "unreachable");

  f.advance_to_next_attempt(id);
  f.answer(FakeGateway::approval(f.gateway.sent.back()));
  CHECK(f.gateway_status() == "reachable");
  CHECK(f.drainer->gateway_reachable() == true);
}

TEST_CASE("an outcome the database cannot record yet is recorded later, and only then reported final") {
  DrainerFixture f;
  f.add_session("s1");
  const std::int64_t id = f.enqueue("s1", "charge", 1234);
  f.start();
  // The disk is full when the approval arrives.
  f.t.db->sql().exec(
      "CREATE TRIGGER disk_full BEFORE UPDATE OF state ON payment_ops WHEN NEW.state = 'succeeded'"
      " BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END");
  f.answer(FakeGateway::approval(f.gateway.sent[0]));
  CHECK(f.op(id).state == PaymentOpState::in_flight);
  CHECK(f.finals.empty());
  CHECK(f.drainer->in_flight() == 1);  // its slot stays taken until the outcome is committed

  f.t.db->sql().exec("DROP TRIGGER disk_full");
  f.vt.advance(SettlementFixture::drainer_settings().idle_poll);
  CHECK(f.op(id).state == PaymentOpState::succeeded);
  CHECK(f.op(id).intent_id == "pi_s1:charge");
  REQUIRE(f.finals.size() == 1);
  CHECK(f.finals[0].state == PaymentOpState::succeeded);
  CHECK(f.gateway.sent.size() == 1);  // recorded, not resent
}

TEST_CASE("no log line names the customer, the payment method or the idempotency key, whatever the outcome") {
  CapturedLog log;
  DrainerFixture f;
  f.add_session("s1");
  f.add_session("s2");
  f.add_session("s3");
  const std::int64_t retried = f.enqueue("s1", "charge", 100);
  f.enqueue("s2", "preauth", 200);
  f.enqueue("s3", "charge", 300);
  f.start();
  REQUIRE(f.gateway.sent.size() == 3);
  f.gateway.answer_oldest(FakeGateway::outcome(PaymentOutcomeKind::unknown, 0, "connection reset"));
  f.gateway.answer_oldest(FakeGateway::outcome(PaymentOutcomeKind::declined, 402, "Your card was declined."));
  f.gateway.answer_oldest(FakeGateway::outcome(PaymentOutcomeKind::rejected, 400, "invalid_request_error"));
  f.vt.run_ready();
  f.advance_to_next_attempt(retried);
  f.answer(FakeGateway::approval(f.gateway.sent.back()));
  REQUIRE(f.op(retried).state == PaymentOpState::succeeded);

  const std::string text = log.text();
  // The log was captured, and names the operation by its id, session and kind.
  CHECK_THAT(text, Catch::Contains("event=payment_succeeded op_id=" + std::to_string(retried) + " session=s1 op=charge"));
  CHECK_THAT(text, !Catch::Contains("s1:charge"));  // the idempotency key (and the fake gateway's intent id)
  CHECK_THAT(text, !Catch::Contains(kCustomer));
  CHECK_THAT(text, !Catch::Contains(kPaymentMethod));
}
