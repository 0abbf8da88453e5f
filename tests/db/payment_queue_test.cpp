// PaymentQueue: the operation state machine, idempotency keys, due order and dependencies,
// resume after a restart, operator retry and write-off with their audit rows, totals.
#include <catch2/catch.hpp>

#include <SQLiteCpp/SQLiteCpp.h>

#include "db/payment_queue.hpp"
#include "tests/db/db_test_support.hpp"

using namespace passgate::db;
using namespace passgate::db::test;

namespace {

NewPaymentOp op(const std::string& session_id, const std::string& kind, std::int64_t amount) {
  NewPaymentOp o;
  o.session_id = session_id;
  o.op = kind;
  o.amount_minor = amount;
  o.currency = "USD";
  return o;
}

struct QueueFixture {
  TestDatabase t;
  SessionStore sessions{*t.db};
  PaymentQueue queue{*t.db};

  QueueFixture() {
    for (const char* id : {"s1", "s2", "s3"}) REQUIRE(describe(begin_session(sessions, session(id, std::string("jti-") + id))) == "ok");
  }
  std::int64_t add(const std::string& session_id, const std::string& kind, std::int64_t amount) {
    auto id = queue.enqueue(op(session_id, kind, amount), kNow);
    REQUIRE(describe(id) == "ok");
    return *id;
  }
  PaymentOpRecord get(std::int64_t id) {
    auto found = queue.find(id);
    REQUIRE(describe(found) == "ok");
    REQUIRE(found->has_value());
    return **found;
  }
};

}  // namespace

TEST_CASE("an operation is written pending with its idempotency key before any attempt") {
  QueueFixture f;
  const auto id = f.add("s1", "charge", 1234);
  const PaymentOpRecord r = f.get(id);
  CHECK(r.idempotency_key == "s1:charge");
  CHECK(r.state == PaymentOpState::pending);
  CHECK(r.attempts == 0);
  CHECK(r.first_attempt_at_ms == 0);
  CHECK(r.next_attempt_at_ms == kNow);
  auto again = f.queue.enqueue(op("s1", "charge", 999), kNow);
  REQUIRE_FALSE(again.ok());
  CHECK(again.error().code == "duplicate_key");
  CHECK(f.get(id).amount_minor == 1234);
}

TEST_CASE("the state machine moves pending, in flight, then a final state and nothing else") {
  QueueFixture f;
  const auto id = f.add("s1", "charge", 500);
  CHECK(f.queue.mark_succeeded(id, "pi_1", kNow).error().code == "wrong_state");  // not in flight
  REQUIRE(f.queue.mark_in_flight(id, kNow + 10).ok());
  CHECK(f.queue.mark_in_flight(id, kNow + 11).error().code == "wrong_state");
  REQUIRE(f.queue.mark_retry(id, kNow + 1000, "timeout after 10000 ms").ok());
  CHECK(f.get(id).state == PaymentOpState::pending);
  CHECK(f.get(id).last_error == "timeout after 10000 ms");
  REQUIRE(f.queue.mark_in_flight(id, kNow + 1000).ok());
  REQUIRE(f.queue.mark_succeeded(id, "pi_1", kNow + 1100).ok());
  const PaymentOpRecord r = f.get(id);
  CHECK(r.state == PaymentOpState::succeeded);
  CHECK(r.intent_id == "pi_1");
  CHECK(r.attempts == 2);
  CHECK(r.first_attempt_at_ms == kNow + 10);  // the first attempt's time is kept
  CHECK(r.finished_at_ms == kNow + 1100);
  const passgate::Status late = f.queue.mark_dead(id, "late", kNow);
  REQUIRE_FALSE(late.ok());
  CHECK(late.error().message.find("it is succeeded") != std::string::npos);
}

TEST_CASE("due lists pending operations by due time and holds back one waiting for another") {
  QueueFixture f;
  auto charge = f.queue.enqueue(op("s1", "charge", 900), kNow);
  REQUIRE(charge.ok());
  NewPaymentOp void_hold = op("s1", "void", 0);
  void_hold.intent_id = "pi_hold";
  void_hold.after_op_id = *charge;
  auto voided = f.queue.enqueue(void_hold, kNow);
  REQUIRE(voided.ok());
  const auto later = f.add("s2", "charge", 100);
  REQUIRE(f.queue.mark_in_flight(later, kNow).ok());
  REQUIRE(f.queue.mark_retry(later, kNow + 5000, "503").ok());

  auto due = f.queue.due(kNow, 10);
  REQUIRE(due.ok());
  REQUIRE(due->size() == 1);
  CHECK(due->front().id == *charge);
  CHECK(*f.queue.next_due_at().value() == kNow);

  REQUIRE(f.queue.mark_in_flight(*charge, kNow).ok());
  CHECK(f.queue.due(kNow, 10)->empty());  // the void waits for the charge to be final
  REQUIRE(f.queue.mark_declined(*charge, "card_declined", kNow).ok());
  due = f.queue.due(kNow + 5000, 10);
  REQUIRE(due.ok());
  REQUIRE(due->size() == 2);
  CHECK(due->at(0).id == *voided);
  CHECK(due->at(1).id == later);
}

TEST_CASE("operations left in flight by a crash are due again after a restart, with the same key") {
  QueueFixture f;
  const auto id = f.add("s1", "preauth", 5000);
  REQUIRE(f.queue.mark_in_flight(id, kNow).ok());
  f.t.reopen();
  PaymentQueue queue(*f.t.db);
  auto resumed = queue.resume_in_flight(kNow + 60'000);
  REQUIRE(describe(resumed) == "ok");
  CHECK(*resumed == 1);
  auto due = queue.due(kNow + 60'000, 10);
  REQUIRE(due.ok());
  REQUIRE(due->size() == 1);
  CHECK(due->front().idempotency_key == "s1:preauth");
  CHECK(due->front().first_attempt_at_ms == kNow);
  CHECK(due->front().last_error.find("in flight when the gate stopped") != std::string::npos);
}

TEST_CASE("operators retry or write off only dead letters, and each action is audited") {
  QueueFixture f;
  const auto dead = f.add("s1", "charge", 700);
  REQUIRE(f.queue.mark_in_flight(dead, kNow).ok());
  REQUIRE(f.queue.mark_dead(dead, "401 authentication_error", kNow).ok());
  const auto declined = f.add("s2", "charge", 800);
  REQUIRE(f.queue.mark_in_flight(declined, kNow).ok());
  REQUIRE(f.queue.mark_declined(declined, "402 insufficient_funds", kNow).ok());
  const auto pending = f.add("s3", "charge", 900);

  CHECK(f.queue.retry(pending, "alice", kNow).error().code == "wrong_state");
  CHECK(f.queue.write_off(declined, "", "alice", kNow).error().code == "bad_reason");
  REQUIRE(f.queue.retry(dead, passgate::db::AuditActor("alice", 1000, 1001), kNow + 1).ok());
  CHECK(f.get(dead).state == PaymentOpState::pending);
  REQUIRE(f.queue.write_off(declined, "customer paid cash", "bob", kNow + 2).ok());
  CHECK(f.get(declined).state == PaymentOpState::written_off);

  // The name as claimed, beside the uid and gid of the connection (none for a name alone).
  SQLite::Statement audit(f.t.db->sql(),
                          "SELECT actor, action, op_id, detail, peer_uid, peer_gid FROM audit_log ORDER BY id");
  REQUIRE(audit.executeStep());
  CHECK(audit.getColumn(0).getString() == "alice");
  CHECK(audit.getColumn(1).getString() == "retry");
  CHECK(audit.getColumn(2).getInt64() == dead);
  CHECK(audit.getColumn(4).getInt64() == 1000);
  CHECK(audit.getColumn(5).getInt64() == 1001);
  REQUIRE(audit.executeStep());
  CHECK(audit.getColumn(1).getString() == "write_off");
  CHECK(audit.getColumn(3).getString() == "customer paid cash");
  CHECK(audit.getColumn(4).isNull());
  CHECK(audit.getColumn(5).isNull());
  CHECK_FALSE(audit.executeStep());
}

TEST_CASE("totals count outstanding operations and amounts by currency, and alerting dead letters") {
  QueueFixture f;
  f.add("s1", "charge", 700);
  NewPaymentOp eur = op("s2", "charge", 300);
  eur.currency = "EUR";
  REQUIRE(f.queue.enqueue(eur, kNow - 5000).ok());
  NewPaymentOp entry_decline = op("s3", "preauth", 5000);
  entry_decline.alert_on_failure = false;
  auto quiet = f.queue.enqueue(entry_decline, kNow);
  REQUIRE(quiet.ok());
  REQUIRE(f.queue.mark_in_flight(*quiet, kNow).ok());
  REQUIRE(f.queue.mark_declined(*quiet, "402 card_declined", kNow).ok());

  auto totals = f.queue.totals();
  REQUIRE(describe(totals) == "ok");
  CHECK(totals->outstanding_ops == 2);
  CHECK(totals->outstanding_minor.at("USD").minor == 700);
  CHECK(totals->outstanding_minor.at("EUR").minor == 300);
  CHECK(*totals->oldest_created_at_ms == kNow - 5000);
  CHECK(totals->dead_letters == 0);  // an entry decline needs no operator
}

TEST_CASE("an operation refused after more than one send is a dead letter whatever it asked for") {
  QueueFixture f;
  NewPaymentOp quiet = op("s1", "preauth", 5000);
  quiet.alert_on_failure = false;  // an entry hold: a refusal on its only send needs nobody
  const std::int64_t once = *f.queue.enqueue(quiet, kNow);
  quiet.session_id = "s2";
  const std::int64_t twice = *f.queue.enqueue(quiet, kNow);
  REQUIRE(f.queue.mark_in_flight(once, kNow).ok());
  REQUIRE(f.queue.mark_dead(once, "HTTP 400", kNow).ok());
  REQUIRE(f.queue.mark_in_flight(twice, kNow).ok());
  REQUIRE(f.queue.mark_retry(twice, kNow, "timed out").ok());  // its outcome unknown
  REQUIRE(f.queue.mark_in_flight(twice, kNow).ok());
  REQUIRE(f.queue.mark_dead(twice, "HTTP 401", kNow).ok());
  CHECK_FALSE(f.get(once).alert);
  CHECK(f.get(twice).alert);  // the first send may have placed a hold
}

TEST_CASE("a batch claim puts every operation in flight in one transaction, or none") {
  QueueFixture f;
  const auto a = f.add("s1", "charge", 100);
  const auto b = f.add("s2", "charge", 200);
  const auto c = f.add("s3", "charge", 300);
  REQUIRE(describe(f.queue.mark_in_flight(std::vector<std::int64_t>{a, b}, kNow + 5)) == "ok");
  for (const auto id : {a, b}) {
    CHECK(f.get(id).state == PaymentOpState::in_flight);
    CHECK(f.get(id).attempts == 1);
    CHECK(f.get(id).first_attempt_at_ms == kNow + 5);
  }
  CHECK(f.get(c).state == PaymentOpState::pending);

  // One that is not pending: none of the batch goes in flight.
  const passgate::Status refused = f.queue.mark_in_flight(std::vector<std::int64_t>{c, a}, kNow + 6);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == "wrong_state");
  CHECK(f.get(c).state == PaymentOpState::pending);
  CHECK(f.get(c).attempts == 0);
  CHECK(f.get(a).attempts == 1);
}

TEST_CASE("a batch of outcomes is recorded in one transaction, a write for an operation not in flight is skipped alone") {
  QueueFixture f;
  const auto ok = f.add("s1", "charge", 100);
  const auto retried = f.add("s2", "charge", 200);
  const auto stale = f.add("s3", "charge", 300);
  REQUIRE(f.queue.mark_in_flight(std::vector<std::int64_t>{ok, retried}, kNow).ok());
  std::vector<OutcomeWrite> writes(3);
  writes[0] = OutcomeWrite{ok, OutcomeWrite::To::succeeded, "", "pi_1", kNow + 10, 0, 1};
  writes[1] = OutcomeWrite{retried, OutcomeWrite::To::retry, "timeout after 10000 ms", "", 0, kNow + 1000, 0};
  writes[2] = OutcomeWrite{stale, OutcomeWrite::To::dead, "rejected", "", kNow + 10, 0, 0};  // still pending
  auto statuses = f.queue.record_outcomes(writes);
  REQUIRE(describe(statuses) == "ok");
  REQUIRE(statuses->size() == 3);
  CHECK((*statuses)[0].ok());
  CHECK((*statuses)[1].ok());
  REQUIRE_FALSE((*statuses)[2].ok());
  CHECK((*statuses)[2].error().code == "wrong_state");
  CHECK(f.get(ok).state == PaymentOpState::succeeded);
  CHECK(f.get(ok).intent_id == "pi_1");
  CHECK(f.get(ok).attempts == 2);  // the client's resend on a fresh connection, in the same write
  CHECK(f.get(retried).state == PaymentOpState::pending);
  CHECK(f.get(retried).next_attempt_at_ms == kNow + 1000);
  CHECK(f.get(retried).last_error == "timeout after 10000 ms");
  CHECK(f.get(stale).state == PaymentOpState::pending);
}

TEST_CASE("a batch of outcomes whose commit fails writes nothing: every operation stays in flight") {
  QueueFixture f;
  const auto a = f.add("s1", "charge", 100);
  const auto b = f.add("s2", "charge", 200);
  REQUIRE(f.queue.mark_in_flight(std::vector<std::int64_t>{a, b}, kNow).ok());
  // The second write fails as a full disk would.
  f.t.db->sql().exec("CREATE TRIGGER disk_full BEFORE UPDATE OF state ON payment_ops WHEN NEW.state = 'declined'"
                     " BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END");
  std::vector<OutcomeWrite> writes(2);
  writes[0] = OutcomeWrite{a, OutcomeWrite::To::succeeded, "", "pi_a", kNow + 10, 0, 0};
  writes[1] = OutcomeWrite{b, OutcomeWrite::To::declined, "declined: card_declined", "", kNow + 10, 0, 0};
  auto failed = f.queue.record_outcomes(writes);
  REQUIRE_FALSE(failed.ok());
  CHECK_THAT(failed.error().message, Catch::Contains("record 2 payment outcomes and claim 0 operations"));
  CHECK(f.get(a).state == PaymentOpState::in_flight);
  CHECK(f.get(a).intent_id.empty());
  CHECK(f.get(b).state == PaymentOpState::in_flight);

  f.t.db->sql().exec("DROP TRIGGER disk_full");
  auto again = f.queue.record_outcomes(writes);
  REQUIRE(describe(again) == "ok");
  CHECK(f.get(a).state == PaymentOpState::succeeded);
  CHECK(f.get(b).state == PaymentOpState::declined);
}

TEST_CASE("an operator's retry of a declined charge is a new attempt under a new key, chained ops waiting for it") {
  QueueFixture f;
  const auto declined = f.add("s1", "charge", 800);
  REQUIRE(f.queue.mark_in_flight(declined, kNow).ok());
  REQUIRE(f.queue.mark_declined(declined, "402 insufficient_funds", kNow).ok());
  NewPaymentOp release = op("s1", "void", 0);  // waits for the charge
  release.intent_id = "pi_hold";
  release.after_op_id = declined;
  const auto chained = f.queue.enqueue(release, kNow);
  REQUIRE(describe(chained) == "ok");

  REQUIRE(describe(f.queue.retry(declined, AuditActor("alice", 1000, 1001), kNow + 5)) == "ok");
  const PaymentOpRecord old = f.get(declined);
  CHECK(old.state == PaymentOpState::declined);
  REQUIRE(old.replaced_by.has_value());
  CHECK_FALSE(is_dead_letter(old.state, old.alert));
  const std::string made = "a new attempt under a new key: operation " + std::to_string(*old.replaced_by);
  CHECK_THAT(old.last_error, Catch::Contains("402 insufficient_funds") && Catch::Contains(made));
  const PaymentOpRecord attempt = f.get(*old.replaced_by);
  CHECK(attempt.idempotency_key == "s1:charge:retry1");
  CHECK(attempt.op == "charge");
  CHECK(attempt.session_id == "s1");
  CHECK(attempt.amount_minor == 800);
  CHECK(attempt.currency == "USD");
  CHECK(attempt.state == PaymentOpState::pending);
  CHECK(attempt.alert);
  CHECK(attempt.attempts == 0);
  CHECK(attempt.first_attempt_at_ms == 0);  // no lookup before its first send
  CHECK(attempt.next_attempt_at_ms == kNow + 5);
  CHECK(attempt.op_key_sent);
  CHECK_FALSE(attempt.maybe_executed);
  CHECK(f.get(*chained).after_op_id == attempt.id);
  // The old one is settled by the new attempt.
  CHECK(f.queue.retry(declined, "alice", kNow + 6).error().code == "wrong_state");

  // Declined again and retried: the next number, on the first key.
  REQUIRE(f.queue.mark_in_flight(attempt.id, kNow + 7).ok());
  REQUIRE(f.queue.mark_declined(attempt.id, "402 card_declined", kNow + 8).ok());
  REQUIRE(describe(f.queue.retry(attempt.id, "bob", kNow + 9)) == "ok");
  const auto second = f.get(attempt.id).replaced_by;
  REQUIRE(second.has_value());
  CHECK(f.get(*second).idempotency_key == "s1:charge:retry2");

  SQLite::Statement audit(f.t.db->sql(), "SELECT op_id, detail, actor FROM audit_log WHERE action = 'retry' ORDER BY id");
  REQUIRE(audit.executeStep());
  CHECK(audit.getColumn(0).getInt64() == declined);
  CHECK(audit.getColumn(1).getString() == made);
  REQUIRE(audit.executeStep());
  CHECK(audit.getColumn(0).getInt64() == attempt.id);
  CHECK(audit.getColumn(2).getString() == "bob");
}

TEST_CASE("an operator's retry keeps the key of a dead charge (it may have gone through) and of a declined capture") {
  QueueFixture f;
  NewPaymentOp rest = op("s1", "charge", 300);
  rest.key_suffix = "remainder";
  auto unknown = f.queue.enqueue(rest, kNow);
  REQUIRE(describe(unknown) == "ok");
  REQUIRE(f.queue.mark_in_flight(*unknown, kNow).ok());
  REQUIRE(f.queue.mark_dead(*unknown, "timeout after 10000 ms, then 400 on the resend", kNow).ok());
  NewPaymentOp capture = op("s2", "capture", 500);
  capture.intent_id = "pi_hold";
  auto refused = f.queue.enqueue(capture, kNow);
  REQUIRE(describe(refused) == "ok");
  REQUIRE(f.queue.mark_in_flight(*refused, kNow).ok());
  REQUIRE(f.queue.mark_declined(*refused, "402 card_declined", kNow).ok());
  for (const std::int64_t id : {*unknown, *refused}) {
    REQUIRE(describe(f.queue.retry(id, "alice", kNow + 1)) == "ok");
    const PaymentOpRecord again = f.get(id);
    CHECK(again.state == PaymentOpState::pending);
    CHECK_FALSE(again.replaced_by.has_value());
  }
  CHECK(f.get(*unknown).idempotency_key == "s1:charge:remainder");
  CHECK(f.get(*refused).idempotency_key == "s2:capture");

  // The remainder declined in turn: its retry is a new attempt, on the remainder's key.
  REQUIRE(f.queue.mark_in_flight(*unknown, kNow + 2).ok());
  REQUIRE(f.queue.mark_declined(*unknown, "402 insufficient_funds", kNow + 3).ok());
  REQUIRE(describe(f.queue.retry(*unknown, "alice", kNow + 4)) == "ok");
  const auto attempt = f.get(*unknown).replaced_by;
  REQUIRE(attempt.has_value());
  CHECK(f.get(*attempt).idempotency_key == "s1:charge:remainder:retry1");
}
