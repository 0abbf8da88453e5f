// PaymentDrainer and answers that are not an operation's outcome (unverified: an HTTP status
// the contract does not name, or a PaymentIntent that does not match the request): the
// operation is dead with the mismatch spelled out, on the dead-letter list with an alert,
// never resent by itself, and the rest of the queue goes on. And how sends are counted: every
// send is an attempt (a stale pooled connection's resend too) in the queue, the log and the
// counters behind the metrics.
#include <catch2/catch.hpp>

#include "tests/settlement/settlement_fixture.hpp"
#include "tests/support/captured_log.hpp"

using namespace passgate;
using namespace passgate::test;
using passgate::PaymentOutcomeKind;
using db::PaymentOpState;

namespace {

const std::string kMismatch =
    "the PaymentIntent in the HTTP 200 answer is not the outcome of this charge: amount: expected 1009, got 1; money "
    "may have moved: a person must check the payment at the gateway, then retry or write off the operation";

struct AnswerFixture : SettlementFixture {
  std::vector<db::PaymentOpRecord> finals;

  void start() {
    make_drainer().set_on_final([this](const db::PaymentOpRecord& op) { finals.push_back(op); });
    REQUIRE(db::test::describe(drainer->start()) == "ok");
  }
  void answer(const passgate::PaymentOutcome& outcome) {
    REQUIRE_FALSE(gateway.calls.empty());
    gateway.answer_oldest(outcome);
    vt.run_ready();
  }
  // The approval of the oldest request, written `sends` times.
  passgate::PaymentOutcome approval_sent(int sends) {
    passgate::PaymentOutcome outcome = FakeGateway::approval(gateway.calls.front().request);
    outcome.sends = sends;
    return outcome;
  }
};

passgate::PaymentOutcome unknown_sent(int sends) {
  passgate::PaymentOutcome outcome = FakeGateway::outcome(PaymentOutcomeKind::unknown, 0, "connection reset");
  outcome.sends = sends;
  return outcome;
}

}  // namespace

TEST_CASE("an unverified answer is a dead letter with the mismatch and an alert, never resent, and the queue goes on") {
  CapturedLog log;
  AnswerFixture f;
  f.add_session("s1");
  f.add_session("s2");
  const std::int64_t lied = f.enqueue("s1", "charge", 1009);
  const std::int64_t honest = f.enqueue("s2", "charge", 500);
  f.start();
  REQUIRE(f.gateway.sent.size() == 2);
  f.answer(FakeGateway::outcome(PaymentOutcomeKind::unverified, 200, kMismatch));
  f.gateway.approve_oldest();
  f.vt.run_ready();

  const db::PaymentOpRecord dead = f.op(lied);
  CHECK(dead.state == PaymentOpState::dead);
  CHECK(dead.alert);
  CHECK(dead.last_error == kMismatch);
  CHECK(f.op(honest).state == PaymentOpState::succeeded);
  CHECK(f.queue.totals()->dead_letters == 1);
  CHECK(f.drainer->counters().unverified == 1);
  CHECK(f.drainer->counters().succeeded == 1);
  REQUIRE(f.finals.size() == 2);
  CHECK(f.finals[0].id == lied);
  CHECK(f.finals[0].state == PaymentOpState::dead);
  CHECK_THAT(log.text(), Catch::Contains("event=payment_unverified op_id=" + std::to_string(lied) +
                                         " session=s1 op=charge amount_minor=1009 currency=USD") &&
                             Catch::Contains("next=dead_letter"));

  // Nothing is resent by itself, however long it waits; new operations are still sent.
  f.vt.advance(std::chrono::hours(2));
  CHECK(f.gateway.sent.size() == 2);
  f.add_session("s3");
  f.enqueue("s3", "charge", 700);
  f.drainer->kick();
  f.vt.run_ready();
  CHECK(f.gateway.sent.size() == 3);
}

TEST_CASE("an unverified answer to a hold asked at entry raises the alert a declined one does not") {
  AnswerFixture f;
  f.add_session("s1");
  db::NewPaymentOp hold{"s1", "preauth", 5000, "USD", {}, std::nullopt, false, ""};
  const auto id = f.queue.enqueue(hold, f.now_ms());
  REQUIRE(id.ok());
  f.start();
  f.answer(FakeGateway::outcome(PaymentOutcomeKind::unverified, 299, "HTTP 299 is not an answer ..."));
  CHECK(f.op(*id).state == PaymentOpState::dead);
  CHECK(f.op(*id).alert);
  CHECK(f.queue.totals()->dead_letters == 1);
}

TEST_CASE("a request sent twice (a stale pooled connection) counts two attempts in the queue, the log and the counters") {
  CapturedLog log;
  AnswerFixture f;
  f.add_session("s1");
  const std::int64_t id = f.enqueue("s1", "charge", 1234);
  f.start();
  const std::int64_t sent_at = f.now_ms();
  f.answer(unknown_sent(2));
  const db::PaymentOpRecord waiting = f.op(id);
  CHECK(waiting.state == PaymentOpState::pending);
  CHECK(waiting.attempts == 2);
  CHECK(f.drainer->counters().attempts == 2);
  CHECK_THAT(log.text(), Catch::Contains("event=payment_retry op_id=" + std::to_string(id)) &&
                             Catch::Contains("attempt=2 "));
  // The backoff after two attempts: 2 s (the first 1 s doubled), plus up to half of it.
  CHECK(waiting.next_attempt_at_ms >= sent_at + 2000);
  CHECK(waiting.next_attempt_at_ms <= sent_at + 3000);

  f.vt.advance(Millis{waiting.next_attempt_at_ms - f.now_ms()});
  REQUIRE(f.gateway.sent.size() == 2);
  f.answer(f.approval_sent(2));
  CHECK(f.op(id).state == PaymentOpState::succeeded);
  CHECK(f.op(id).attempts == 4);
  CHECK(f.drainer->counters().attempts == 4);
}

TEST_CASE("an outcome decided without a send still counts the one attempt") {
  AnswerFixture f;
  f.add_session("s1", false);  // no payment reference: dead before anything is sent
  const std::int64_t id = f.enqueue("s1", "charge", 1234);
  f.start();
  f.vt.run_ready();
  CHECK(f.op(id).state == PaymentOpState::dead);
  CHECK(f.op(id).attempts == 1);
  CHECK(f.drainer->counters().attempts == 1);
}
