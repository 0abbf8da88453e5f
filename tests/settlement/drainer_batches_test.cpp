// PaymentDrainer batches: a pump claims every due operation the free slots allow in one
// transaction; the outcomes of one loop pass are recorded in that same one, and only after
// it commits does anything follow (the sends, the slot, on_final, counters, the entry hold's
// answer); a
// commit that fails for the whole database (full, locked) keeps every operation of the batch in
// flight; one that fails on one row records the others one at a time, so only that row's
// operation waits; the entry hold hears of a success only once it is committed, of a denial at
// once; a crash between a batch's sends and its record leaves them in flight, resent with their
// same keys (or looked up) at the next start.
#include <catch2/catch.hpp>

#include <memory>

#include <SQLiteCpp/SQLiteCpp.h>

#include "controller/settlement/entry_hold.hpp"
#include "db/sqlite_error.hpp"

#include "tests/settlement/gateway_outcomes.hpp"
#include "tests/settlement/settlement_fixture.hpp"

using namespace passgate;
using namespace passgate::test;
using db::PaymentOpState;

namespace {

struct BatchFixture : SettlementFixture {
  std::vector<db::PaymentOpRecord> finals;

  // Sessions s1..sN, each with a charge due now; their ids.
  std::vector<std::int64_t> charges(int count) {
    std::vector<std::int64_t> ids;
    for (int i = 1; i <= count; ++i) {
      const std::string id = "s" + std::to_string(i);
      add_session(id);
      ids.push_back(enqueue(id, "charge", 100 * i));
    }
    return ids;
  }
  controller::PaymentDrainer& start(int max_in_flight) {
    make_drainer(drainer_settings(max_in_flight)).set_on_final([this](const db::PaymentOpRecord& op) {
      finals.push_back(op);
    });
    REQUIRE(db::test::describe(drainer->start()) == "ok");
    return *drainer;
  }
  // The gateway has answered once (its reachability is published, a write of its own).
  void reachable() {
    add_session("s0");
    enqueue("s0", "charge", 1);
    drainer->kick();
    vt.run_ready();
    gateway.approve_oldest();
    vt.run_ready();
    REQUIRE(drainer->gateway_reachable() == true);
  }
  // Every write moving an operation to `state` fails (an error of that row: db_error).
  void fail_commits_of(const std::string& state) {
    t.db->sql().exec("CREATE TRIGGER disk_full BEFORE UPDATE OF state ON payment_ops WHEN NEW.state = '" + state +
                     "' BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END");
  }
  // Every claim of operation `id` (pending -> in flight) fails (an error of that row: db_error).
  void fail_claims_of(std::int64_t id) {
    t.db->sql().exec("CREATE TRIGGER bad_claim BEFORE UPDATE OF state ON payment_ops WHEN OLD.id = " +
                     std::to_string(id) + " AND NEW.state = 'in_flight' BEGIN SELECT RAISE(ABORT, 'row refused'); END");
  }
  // The virtual times at which writes failed while `span` of virtual time goes by, looking
  // every 10 ms (a failure is counted by db::failed_operations()).
  std::vector<Millis> failures_within(Millis span) {
    std::vector<Millis> at;
    const auto began = vt.steady_now();
    auto seen = db::failed_operations().db_error;
    while (vt.steady_now() - began < span) {
      vt.advance(Millis{10});
      if (const auto now_failed = db::failed_operations().db_error; now_failed != seen) {
        seen = now_failed;
        at.push_back(std::chrono::duration_cast<Millis>(vt.steady_now() - began));
      }
    }
    return at;
  }
  // Every write recording an outcome of operation `id` fails (an error of that row: db_error).
  void fail_outcomes_of(std::int64_t id) {
    t.db->sql().exec("CREATE TRIGGER bad_row BEFORE UPDATE OF state ON payment_ops WHEN OLD.id = " +
                     std::to_string(id) + " AND NEW.state <> 'in_flight' BEGIN SELECT RAISE(ABORT, 'row refused'); END");
  }
  // Another connection holds the write lock: every write fails with db_busy (at once: the
  // busy timeout is 0) until unlock_database().
  void lock_database() {
    t.db->sql().setBusyTimeout(0);
    other = std::make_unique<SQLite::Database>(t.file.string(), SQLite::OPEN_READWRITE);
    lock = std::make_unique<SQLite::Transaction>(*other, SQLite::TransactionBehavior::IMMEDIATE);
  }
  void unlock_database() {
    lock.reset();
    other.reset();
  }
  std::unique_ptr<SQLite::Database> other;
  std::unique_ptr<SQLite::Transaction> lock;
};

// Tries of a row `failed_at` (times since the count began) 1 s, 2 s, 4 s, 8 s ... apart: the
// first 1 s after the first failure (a few ms before the count began), each wait at least
// twice the one before, and not on every wake.
void check_growing_waits(const std::vector<Millis>& failed_at) {
  REQUIRE(failed_at.size() >= 3);
  CHECK(failed_at.size() <= 5);
  CHECK(failed_at[0] >= Millis{900});
  Millis wait_before = failed_at[0];
  for (std::size_t i = 1; i < failed_at.size(); ++i) {
    INFO("try " << i);
    const Millis wait = failed_at[i] - failed_at[i - 1];
    CHECK(wait >= wait_before * 2 - Millis{10});
    wait_before = wait;
  }
}

}  // namespace

TEST_CASE("a pump claims every due operation the free slots allow in one transaction, then sends each") {
  BatchFixture f;
  f.start(4);
  f.reachable();
  const auto ids = f.charges(6);
  const std::int64_t commits_before = f.t.db->commits();
  f.drainer->kick();
  f.vt.run_ready();
  CHECK(f.t.db->commits() - commits_before == 1);
  REQUIRE(f.gateway.calls.size() == 4);
  for (std::size_t i = 0; i < 4; ++i) {
    CHECK(f.op(ids[i]).state == PaymentOpState::in_flight);
    CHECK(f.op(ids[i]).attempts == 1);
    CHECK(f.gateway.calls[i].request.idempotency_key == "s" + std::to_string(i + 1) + ":charge");
  }
  CHECK(f.op(ids[4]).state == PaymentOpState::pending);
  CHECK(f.drainer->in_flight() == 4);
}

TEST_CASE("the outcomes of one loop pass share one commit with the claim of the slots they free") {
  BatchFixture f;
  f.start(4);
  f.reachable();
  const auto ids = f.charges(6);
  f.drainer->kick();
  f.vt.run_ready();
  REQUIRE(f.gateway.calls.size() == 4);

  const std::int64_t commits_before = f.t.db->commits();
  for (int i = 0; i < 3; ++i) f.gateway.approve_oldest();
  f.gateway.answer_oldest(FakeGateway::outcome(PaymentOutcomeKind::retry_later, 409, "idempotency_key_in_use"));
  f.vt.run_ready();
  CHECK(f.t.db->commits() - commits_before == 1);  // the four outcomes and the claim of s5 and s6
  for (std::size_t i = 0; i < 3; ++i) CHECK(f.op(ids[i]).state == PaymentOpState::succeeded);
  CHECK(f.op(ids[3]).state == PaymentOpState::pending);
  CHECK(f.op(ids[3]).last_error == "idempotency_key_in_use");
  CHECK(f.op(ids[4]).state == PaymentOpState::in_flight);
  CHECK(f.op(ids[5]).state == PaymentOpState::in_flight);
  CHECK(f.gateway.sent.size() == 1 + 6);
  CHECK(f.finals.size() == 1 + 3);
  CHECK(f.drainer->counters().succeeded == 1 + 3);
  CHECK(f.drainer->counters().retried == 1);
}

TEST_CASE("an outcome is not acted on before its commit: a batch the database refuses keeps every operation in flight and its slot") {
  BatchFixture f;
  f.start(2);
  f.reachable();
  const auto ids = f.charges(3);
  f.drainer->kick();
  f.vt.run_ready();
  REQUIRE(f.gateway.calls.size() == 2);

  f.lock_database();  // db_busy: the whole batch is rolled back, nothing is tried one by one
  f.gateway.approve_oldest();
  f.gateway.answer_oldest(FakeGateway::outcome(PaymentOutcomeKind::declined, 402, "Your card was declined."));
  f.vt.run_ready();
  CHECK(f.op(ids[0]).state == PaymentOpState::in_flight);
  CHECK(f.op(ids[0]).intent_id.empty());
  CHECK(f.op(ids[1]).state == PaymentOpState::in_flight);
  CHECK(f.finals.size() == 1);                    // s0 only
  CHECK(f.drainer->counters().succeeded == 1);    // s0 only
  CHECK(f.drainer->counters().declined == 0);
  CHECK(f.drainer->in_flight() == 2);             // their slots stay taken: s3 waits
  CHECK(f.op(ids[2]).state == PaymentOpState::pending);
  CHECK(f.gateway.sent.size() == 1 + 2);

  // Still failing on the next wake: nothing changes, nothing is sent.
  f.vt.advance(SettlementFixture::drainer_settings().idle_poll);
  CHECK(f.op(ids[0]).state == PaymentOpState::in_flight);
  CHECK(f.gateway.sent.size() == 1 + 2);

  f.unlock_database();
  f.vt.advance(SettlementFixture::drainer_settings().idle_poll);
  CHECK(f.op(ids[0]).state == PaymentOpState::succeeded);
  CHECK(f.op(ids[0]).intent_id == "pi_s1:charge");
  CHECK(f.op(ids[0]).attempts == 1);
  CHECK(f.op(ids[1]).state == PaymentOpState::declined);
  CHECK(f.finals.size() == 1 + 2);
  CHECK(f.drainer->counters().succeeded == 1 + 1);
  CHECK(f.drainer->counters().declined == 1);
  // Recorded, not resent; then s3 takes a freed slot.
  REQUIRE(f.gateway.sent.size() == 1 + 3);
  CHECK(f.gateway.sent.back().idempotency_key == "s3:charge");
}

TEST_CASE("a row that cannot be written holds back only its own operation: the others are recorded and their slots freed") {
  BatchFixture f;
  f.start(3);
  f.reachable();
  const auto ids = f.charges(5);
  f.drainer->kick();
  f.vt.run_ready();
  REQUIRE(f.gateway.calls.size() == 3);

  f.fail_outcomes_of(ids[1]);
  for (int i = 0; i < 3; ++i) f.gateway.approve_oldest();
  f.vt.run_ready();
  CHECK(f.op(ids[0]).state == PaymentOpState::succeeded);
  CHECK(f.op(ids[2]).state == PaymentOpState::succeeded);
  CHECK(f.op(ids[1]).state == PaymentOpState::in_flight);  // its own outcome waits, with its slot
  CHECK(f.op(ids[1]).intent_id.empty());
  CHECK(f.finals.size() == 1 + 2);
  CHECK(f.drainer->counters().succeeded == 1 + 2);
  // The slots of the two recorded outcomes are claimed (s4, s5), in their own transaction.
  CHECK(f.op(ids[3]).state == PaymentOpState::in_flight);
  CHECK(f.op(ids[4]).state == PaymentOpState::in_flight);
  REQUIRE(f.gateway.sent.size() == 1 + 5);
  CHECK(f.drainer->in_flight() == 3);

  // Still refused when it is tried again, alone, 1 s later: the others go on all the same.
  f.gateway.approve_oldest();
  f.gateway.approve_oldest();
  f.vt.advance(SettlementFixture::drainer_settings().retry.first);
  CHECK(f.op(ids[3]).state == PaymentOpState::succeeded);
  CHECK(f.op(ids[4]).state == PaymentOpState::succeeded);
  CHECK(f.op(ids[1]).state == PaymentOpState::in_flight);
  CHECK(f.drainer->in_flight() == 1);

  f.t.db->sql().exec("DROP TRIGGER bad_row");
  f.vt.advance(SettlementFixture::drainer_settings().retry.first * 2);  // its next try, 2 s after that one
  CHECK(f.op(ids[1]).state == PaymentOpState::succeeded);  // recorded, not resent
  CHECK(f.op(ids[1]).attempts == 1);
  CHECK(f.gateway.sent.size() == 1 + 5);
  CHECK(f.finals.size() == 1 + 5);
  CHECK(f.drainer->in_flight() == 0);
}

TEST_CASE("an outcome its row refuses is recorded alone after growing waits: the others go back to one commit per pass") {
  BatchFixture f;
  f.start(3);
  f.reachable();
  const auto ids = f.charges(6);
  f.drainer->kick();
  f.vt.run_ready();
  REQUIRE(f.gateway.calls.size() == 3);
  f.fail_outcomes_of(ids[0]);
  for (int i = 0; i < 3; ++i) f.gateway.approve_oldest();
  f.vt.run_ready();  // the batch splits once: s2 and s3 recorded, s4 and s5 claimed, s1 waits
  REQUIRE(f.op(ids[0]).state == PaymentOpState::in_flight);
  REQUIRE(f.gateway.calls.size() == 2);

  // The next pass: s4's and s5's outcomes and the claim of s6, in one transaction.
  const std::int64_t commits_before = f.t.db->commits();
  f.gateway.approve_oldest();
  f.gateway.approve_oldest();
  f.vt.run_ready();
  CHECK(f.t.db->commits() - commits_before == 1);
  CHECK(f.op(ids[3]).state == PaymentOpState::succeeded);
  CHECK(f.op(ids[4]).state == PaymentOpState::succeeded);
  CHECK(f.op(ids[5]).state == PaymentOpState::in_flight);
  f.gateway.approve_oldest();
  f.vt.run_ready();
  CHECK(f.op(ids[5]).state == PaymentOpState::succeeded);

  // s1's own record is tried again alone, 1 s, 2 s, 4 s, 8 s apart: not on every wake.
  const auto failed_at = f.failures_within(std::chrono::seconds(20));
  check_growing_waits(failed_at);
  CHECK(f.op(ids[0]).state == PaymentOpState::in_flight);
  CHECK(f.drainer->in_flight() == 1);  // it keeps its slot

  f.t.db->sql().exec("DROP TRIGGER bad_row");
  f.vt.advance(std::chrono::seconds(20));
  CHECK(f.op(ids[0]).state == PaymentOpState::succeeded);  // recorded, not resent
  CHECK(f.gateway.sent.size() == 1 + 6);
  CHECK(f.drainer->in_flight() == 0);
}

TEST_CASE("an operation whose claim its row refuses is claimed alone after growing waits, not every 20 ms") {
  BatchFixture f;
  f.start(2);
  f.reachable();
  const auto ids = f.charges(3);
  f.fail_claims_of(ids[0]);
  f.drainer->kick();
  f.vt.run_ready();  // s1 and s2 claimed together: refused, then apart: s2 sent
  f.vt.advance(Millis{20});  // the next wake claims s3 in the slot left to s1
  REQUIRE(f.gateway.calls.size() == 2);  // s2 and s3 sent, s1 left out
  CHECK(f.gateway.calls[0].request.idempotency_key == "s2:charge");
  CHECK(f.gateway.calls[1].request.idempotency_key == "s3:charge");
  CHECK(f.op(ids[0]).state == PaymentOpState::pending);

  // Their outcomes are recorded in one transaction: s1 is not in it.
  const std::int64_t commits_before = f.t.db->commits();
  f.gateway.approve_oldest();
  f.gateway.approve_oldest();
  f.vt.run_ready();
  CHECK(f.t.db->commits() - commits_before == 1);
  CHECK(f.op(ids[1]).state == PaymentOpState::succeeded);
  CHECK(f.op(ids[2]).state == PaymentOpState::succeeded);

  // s1 is claimed again alone 1 s, 2 s, 4 s, 8 s apart, with free slots and nothing else to do.
  const auto failed_at = f.failures_within(std::chrono::seconds(20));
  check_growing_waits(failed_at);
  CHECK(f.gateway.sent.size() == 1 + 2);

  f.t.db->sql().exec("DROP TRIGGER bad_claim");
  f.vt.advance(std::chrono::seconds(20));
  REQUIRE(f.gateway.sent.size() == 1 + 3);
  CHECK(f.gateway.sent.back().idempotency_key == "s1:charge");
  CHECK(f.op(ids[0]).state == PaymentOpState::in_flight);
  CHECK(f.op(ids[0]).attempts == 1);
}

TEST_CASE("a failed commit tells the entry a decline as it is (a denial moves no money), recorded later") {
  BatchFixture f;
  f.start(4);
  f.reachable();
  const bool database_wide = GENERATE(false, true);
  controller::EntryHold hold({5000, "USD", Millis{1500}, {}}, f.queue, *f.drainer, f.vt);
  f.add_session("s1");
  std::vector<controller::HoldVerdict> verdicts;
  hold.place("s1", [&](controller::HoldVerdict v) { verdicts.push_back(v); });
  REQUIRE(f.gateway.calls.size() == 1);
  const std::int64_t id = f.ops_of("s1").at(0).id;
  if (database_wide) {
    f.lock_database();
  } else {
    f.fail_commits_of("declined");
  }
  f.gateway.answer_oldest(FakeGateway::outcome(PaymentOutcomeKind::declined, 402, "Your card was declined."));
  f.vt.run_ready();
  CHECK(verdicts == std::vector<controller::HoldVerdict>{controller::HoldVerdict::declined});
  CHECK(f.op(id).state == PaymentOpState::in_flight);  // not recorded yet

  if (database_wide) {
    f.unlock_database();
  } else {
    f.t.db->sql().exec("DROP TRIGGER disk_full");
  }
  f.vt.advance(SettlementFixture::drainer_settings().idle_poll);
  CHECK(f.op(id).state == PaymentOpState::declined);
  CHECK(f.gateway.sent.size() == 1 + 1);  // recorded, not resent
  CHECK(verdicts.size() == 1);            // told once
}

TEST_CASE("the entry hold hears of a success only once it is committed, a failed commit answers unknown") {
  BatchFixture f;
  f.start(4);
  f.reachable();
  f.add_session("s1");
  const std::int64_t id = f.enqueue("s1", "preauth", 5000);
  std::vector<PaymentOutcome> told;
  f.fail_commits_of("succeeded");
  f.drainer->send_now(id, Millis{1500}, [&](const PaymentOutcome& outcome) {
    told.push_back(outcome);
    // What the caller sees of the operation when it is told.
    CHECK(f.op(id).state == PaymentOpState::in_flight);
  });
  REQUIRE(f.gateway.calls.size() == 1);
  f.gateway.approve_oldest();
  f.vt.run_ready();
  REQUIRE(told.size() == 1);
  CHECK(told[0].kind == PaymentOutcomeKind::unknown);
  CHECK_THAT(told[0].error, Catch::Contains("not recorded yet"));

  f.t.db->sql().exec("DROP TRIGGER disk_full");
  f.vt.advance(SettlementFixture::drainer_settings().idle_poll);
  CHECK(f.op(id).state == PaymentOpState::succeeded);  // recorded on the next wake, not resent
  CHECK(f.gateway.sent.size() == 1 + 1);
  CHECK(told.size() == 1);  // told once
  CHECK(f.finals.size() == 1 + 1);

  // Committed: told succeeded, with the operation already recorded.
  f.add_session("s2");
  const std::int64_t second = f.enqueue("s2", "preauth", 5000);
  std::vector<PaymentOpState> state_when_told;
  f.drainer->send_now(second, Millis{1500}, [&](const PaymentOutcome& outcome) {
    CHECK(outcome.kind == PaymentOutcomeKind::succeeded);
    state_when_told.push_back(f.op(second).state);
  });
  f.gateway.approve_oldest();
  f.vt.run_ready();
  CHECK(state_when_told == std::vector<PaymentOpState>{PaymentOpState::succeeded});
}

TEST_CASE("a crash between a batch's sends and its record: each is resent with its same key at the next start") {
  BatchFixture f;
  f.start(4);
  const auto ids = f.charges(2);
  f.drainer->kick();
  f.vt.run_ready();
  REQUIRE(f.gateway.calls.size() == 2);
  // Both answers arrive (the gateway executed both) ...
  f.gateway.approve_oldest();
  f.gateway.approve_oldest();
  REQUIRE(f.vt.run_next());
  REQUIRE(f.vt.run_next());
  // ... and the gate dies before the loop turns to record them.
  f.drainer.reset();
  f.vt.run_ready();  // the record it had posted finds it gone
  const bool day_later = GENERATE(false, true);
  if (day_later) f.vt.advance(std::chrono::hours(24));  // the gateway may have forgotten the keys
  f.t.reopen();
  db::SessionStore sessions{*f.t.db};
  db::PaymentQueue queue{*f.t.db};
  db::GateStatus status{*f.t.db};
  for (const auto id : ids) {
    auto op = queue.find(id);
    REQUIRE(db::test::describe(op) == "ok");
    CHECK((*op)->state == PaymentOpState::in_flight);
  }
  FakeGateway gateway{f.vt};
  controller::PaymentDrainer restarted(SettlementFixture::drainer_settings(4), queue, sessions, f.sealer, gateway,
                                       status, f.vt, f.vt);
  REQUIRE(db::test::describe(restarted.start()) == "ok");
  f.vt.run_ready();
  if (day_later) {
    // Older than search_after: looked up first, and the PaymentIntent found adopted.
    REQUIRE(gateway.searches == std::vector<std::string>{"s1", "s2"});
    CHECK(gateway.sent.empty());
    for (int i = 1; i <= 2; ++i) {
      const std::string session = "s" + std::to_string(i);
      gateway.answer_oldest(search_result({found_intent("pi_" + session, session, "charge", "succeeded", 100 * i)}));
    }
  } else {
    REQUIRE(gateway.sent.size() == 2);
    CHECK(gateway.sent[0].idempotency_key == "s1:charge");
    CHECK(gateway.sent[1].idempotency_key == "s2:charge");
    gateway.approve_oldest();
    gateway.approve_oldest();
  }
  f.vt.run_ready();
  for (const auto id : ids) {
    auto op = queue.find(id);
    REQUIRE(db::test::describe(op) == "ok");
    CHECK((*op)->state == PaymentOpState::succeeded);
    CHECK((*op)->attempts == 2);
  }
  CHECK(gateway.sent.empty() == day_later);
  CHECK(restarted.counters().adopted == (day_later ? 2 : 0));
}

TEST_CASE("a claim held back goes only once its predecessor is final: not while an operator's retry of it is out") {
  BatchFixture f;
  f.start(2);
  f.reachable();
  f.add_session("s1");
  const std::int64_t charge = f.enqueue("s1", "charge", 700);
  db::NewPaymentOp chained;
  chained.session_id = "s1";
  chained.op = "void";
  chained.amount_minor = 5000;
  chained.currency = "USD";
  chained.intent_id = "pi_hold";
  chained.after_op_id = charge;
  const auto after = f.queue.enqueue(chained, f.now_ms());
  REQUIRE(after.ok());
  f.drainer->kick();
  f.vt.run_ready();
  REQUIRE(f.gateway.calls.size() == 1);  // the charge alone: the void waits for it
  // The void's claim will be refused: held back when it is due, tried again alone later.
  f.fail_claims_of(*after);
  f.gateway.answer_oldest(FakeGateway::outcome(PaymentOutcomeKind::declined, 402));
  f.vt.run_ready();
  f.vt.advance(Millis{20});
  REQUIRE(f.op(charge).state == PaymentOpState::declined);
  REQUIRE(f.op(*after).state == PaymentOpState::pending);
  REQUIRE(f.gateway.calls.empty());
  // Meanwhile an operator retries the charge (declined: a new attempt in its place): it goes
  // out, and the void must wait for it.
  REQUIRE(f.queue.retry(charge, db::AuditActor{"alice"}, f.now_ms()).ok());
  REQUIRE(f.op(charge).replaced_by.has_value());
  const std::int64_t attempt = *f.op(charge).replaced_by;
  f.t.db->sql().exec("DROP TRIGGER bad_claim");
  f.drainer->kick();
  f.vt.advance(std::chrono::seconds(20));
  REQUIRE(f.op(attempt).state == PaymentOpState::in_flight);
  CHECK(f.op(*after).state == PaymentOpState::pending);
  for (const PaymentRequest& sent : f.gateway.sent) CHECK(sent.idempotency_key != "s1:void");

  f.gateway.approve_oldest();
  f.vt.run_ready();
  f.vt.advance(Millis{20});
  CHECK(f.op(attempt).state == PaymentOpState::succeeded);
  REQUIRE_FALSE(f.gateway.sent.empty());
  CHECK(f.gateway.sent.back().idempotency_key == "s1:void");
}
