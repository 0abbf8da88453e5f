// When the planner runs: a backlog larger than a batch is planned to the end, sessions whose
// hold is unresolved never hold a batch up, a request coalesces, and the periodic backstop
// settles a session that ended while nothing asked (a denied shopper's hold is released
// without waiting for another cart). Sessions the gate did not admit, or that the tracking
// engine refused, have their holds voided and their carts quarantined, never charged.
#include <catch2/catch.hpp>

#include <memory>

#include "db/sqlite_error.hpp"
#include "tests/settlement/planner_fixture.hpp"

using namespace passgate;
using namespace passgate::test;
using namespace std::chrono_literals;
using db::PaymentOpState;

namespace {

std::string session_name(int i) { return "s" + std::to_string(i); }

// Sessions s0..s<count - 1>, each ended with a final cart (100 + i cents): ready to settle.
void add_ended_sessions(PlannerFixture& f, int count) {
  std::vector<db::FinalCart> carts;
  for (int i = 0; i < count; ++i) {
    f.add_session(session_name(i));
    carts.push_back(final_cart(session_name(i), 100 + i));
  }
  f.record_carts(carts);
}

// Another program holding the database's write lock while it lives: each write would wait
// for it (2 s in the daemon; the fixture's connection does not wait).
struct OtherWriter {
  explicit OtherWriter(PlannerFixture& f) : other(f.t.file.string(), SQLite::OPEN_READWRITE) {
    f.t.db->sql().setBusyTimeout(0);
  }
  SQLite::Database other;
  SQLite::Transaction lock{other, SQLite::TransactionBehavior::IMMEDIATE};
};

// How many sessions have a settlement.
std::int64_t settled(PlannerFixture& f) {
  return f.t.db->sql().execAndGet("SELECT COUNT(*) FROM settlements").getInt64();
}

}  // namespace

TEST_CASE("a page of 300 carts is planned to the end, one batch per turn of the event loop") {
  PlannerFixture f;
  add_ended_sessions(f, 300);
  CHECK(f.planner.run() == 50);  // one batch, then it yields
  CHECK(settled(f) == 50);
  f.vt.run_ready();
  CHECK(settled(f) == 300);
  CHECK(f.planner.planned_total() == 300);
}

TEST_CASE("sessions waiting for their hold never fill a batch that others wait behind") {
  PlannerFixture f;
  for (int i = 0; i < 120; ++i) {
    f.add_session(session_name(i));
    (void)f.enqueue(session_name(i), "preauth", 5000);  // unresolved
  }
  f.add_session("ready");
  std::vector<db::FinalCart> carts;
  for (int i = 0; i < 120; ++i) carts.push_back(final_cart(session_name(i), 100));
  carts.push_back(final_cart("ready", 100));
  f.record_carts(carts);
  CHECK(f.planner.run() == 1);
  CHECK(f.settlement("ready").has_value());
}

TEST_CASE("requests before a run make one run, on the event loop") {
  PlannerFixture f;
  f.add_session("s1");
  f.record_carts({final_cart("s1", 100)});
  f.planner.request();
  f.planner.request();
  CHECK_FALSE(f.settlement("s1").has_value());  // never inside request()
  f.vt.run_ready();
  CHECK(f.settlement("s1").has_value());
  CHECK(f.kicks == 1);
}

TEST_CASE("the backstop settles a session that ended while nothing asked the planner") {
  PlannerFixture f;
  f.planner.start();
  f.add_session("s1");
  f.resolved_preauth("s1", 5000, "pi_hold");
  f.deny_session("s1");
  f.vt.advance(4900ms);
  CHECK_FALSE(f.settlement("s1").has_value());
  f.vt.advance(100ms);
  REQUIRE(f.settlement("s1").has_value());
  const auto ops = f.settling_ops("s1");
  REQUIRE(ops.size() == 1);
  CHECK(ops[0].op == "void");
}

TEST_CASE("a session the tracking engine refused after an offline admission has its hold voided") {
  PlannerFixture f;
  f.add_session("s1");
  f.resolved_preauth("s1", 5000, "pi_hold");
  REQUIRE(f.sessions.mark_open_offline("s1", db::OutboxMessage{"session_open", "/v1/sessions", "{}", "s1"}, f.now_ms()).ok());
  CHECK(f.planner.run() == 0);  // inside, followed: waits for its cart
  db::Outbox outbox(*f.t.db);
  const auto queued = outbox.front().value();
  REQUIRE(queued.has_value());
  const auto refused = f.sessions.close_refused_open(queued->id, "s1", "/v1/sessions/s1/cancel", f.now_ms());
  REQUIRE(refused.ok());
  CHECK(*refused);
  CHECK(outbox.size().value() == 0);
  CHECK_FALSE(f.sessions.close_refused_open(queued->id, "s1", "/v1/sessions/s1/cancel", f.now_ms()).value());  // once
  CHECK(f.sessions.refused_since(0).value() == 1);
  CHECK(f.planner.run() == 1);
  const auto ops = f.settling_ops("s1");
  REQUIRE(ops.size() == 1);
  CHECK(ops[0].op == "void");
  CHECK(ops[0].intent_id == "pi_hold");

  // A cart the engine sends anyway is quarantined, not charged.
  f.record_carts({final_cart("s1", 1200)});
  CHECK(f.planner.run() == 0);
  CHECK(f.settling_ops("s1").size() == 1);
  db::CartQuarantine quarantine(*f.t.db);
  const auto open = quarantine.open(0).value();
  REQUIRE(open.size() == 1);
  CHECK(open[0].cart.reason == db::QuarantineReason::not_admitted);
  CHECK_THAT(open[0].cart.detail, Catch::Contains("refused"));
}

TEST_CASE("the cart of a session the gate denied or cancelled is quarantined, never charged") {
  PlannerFixture f;
  f.add_session("denied");
  f.deny_session("denied");
  f.add_session("cancelled");
  f.cancel_session("cancelled");
  f.add_session("inside");
  f.record_carts({final_cart("denied", 1234), final_cart("cancelled", 99), final_cart("inside", 500)});
  CHECK(f.planner.run() == 1);
  CHECK(f.settling_ops("denied").empty());
  CHECK(f.settling_ops("cancelled").empty());
  CHECK(f.settling_ops("inside").size() == 1);
  db::CartQuarantine quarantine(*f.t.db);
  const auto open = quarantine.open(0).value();
  REQUIRE(open.size() == 2);
  for (const auto& q : open) {
    CHECK(q.cart.reason == db::QuarantineReason::not_admitted);
    CHECK_THAT(q.cart.raw, Catch::Contains(q.cart.session_id));
  }
  CHECK_THAT(open[0].cart.detail, Catch::Contains("denied") && Catch::Contains("1234 USD"));
}

TEST_CASE("a refused open request of a session the gate denied takes the cancel queued after it along") {
  PlannerFixture f;
  f.add_session("s1");
  REQUIRE(f.sessions
              .deny_after_open("s1", "tracking_unreachable", true,
                               db::OutboxMessage{"session_open", "/v1/sessions", R"({"session_id":"s1"})", "s1"},
                               db::OutboxMessage{"cancel", "/v1/sessions/s1/cancel", R"({"reason":"no_passage"})", "s1"},
                               f.now_ms())
              .ok());
  db::Outbox outbox(*f.t.db);
  REQUIRE(outbox.size().value() == 2);
  const auto open = outbox.front().value();
  REQUIRE(open.has_value());
  CHECK(open->message.kind == "session_open");
  // The engine never had the session: the cancel would find nothing and hold the outbox up.
  const auto refused = f.sessions.close_refused_open(open->id, "s1", "/v1/sessions/s1/cancel", f.now_ms());
  REQUIRE(refused.ok());
  CHECK_FALSE(*refused);  // denied, not an admitted shopper
  CHECK(outbox.size().value() == 0);
  CHECK(f.sessions.find("s1").value()->state == db::SessionState::denied);
  CHECK(f.sessions.refused_since(0).value() == 0);
}

TEST_CASE("a hold refused after an earlier send of unknown outcome keeps the session for an operator") {
  PlannerFixture f;
  f.add_session("s1");
  const std::int64_t preauth = f.enqueue("s1", "preauth", 5000);
  REQUIRE(f.queue.mark_in_flight(preauth, f.now_ms()).ok());
  REQUIRE(f.queue.mark_retry(preauth, f.now_ms(), "timed out").ok());  // a hold may stand
  f.conclude(preauth, PaymentOpState::dead);
  f.record_carts({final_cart("s1", 1200)});
  CHECK(f.planner.run() == 0);  // not charged on its own while a hold may stand unnamed
  REQUIRE(f.queue.write_off(preauth, "no hold at the gateway", db::AuditActor{"alice"}, f.now_ms()).ok());
  CHECK(f.planner.run() == 1);
  CHECK(f.settlement("s1")->decision.plan == "charge");
}

TEST_CASE("a run stopped by a locked database skips the charge follow-ups too: one busy wait, not two") {
  PlannerFixture f;
  f.add_session("charged");  // a charge above its hold, final: its void is to follow
  f.conclude(f.enqueue("charged", "preauth", 2500), PaymentOpState::succeeded, "pi_hold");
  f.record_carts({final_cart("charged", 3000)});
  REQUIRE(f.planner.run() == 1);
  const auto charge = f.settling_ops("charged");
  REQUIRE(charge.size() == 1);
  f.conclude(charge[0].id, PaymentOpState::succeeded, "pi_charge");
  add_ended_sessions(f, 3);
  auto lock = std::make_unique<OtherWriter>(f);
  const auto busy_before = db::failed_operations().db_busy;
  CHECK(f.planner.run() == 0);
  CHECK(db::failed_operations().db_busy - busy_before == 1);  // the first session's, not the follow-up's too
  lock.reset();
  CHECK(f.planner.run() == 4);  // the three sessions and the follow-up
  CHECK(f.settling_ops("charged").size() == 2);
}

// Each look at the steady clock finds `per_look` more gone: the commits of a slow card.
struct SlowDiskClock final : Clock {
  SlowDiskClock(VirtualTime& time, Millis per_look) : vt(time), step(per_look) {}
  [[nodiscard]] WallTime wall_now() const override { return vt.wall_now(); }
  [[nodiscard]] SteadyTime steady_now() const override { return vt.steady_now() + step * ++looks; }
  VirtualTime& vt;
  Millis step;
  mutable int looks = 0;
};

TEST_CASE("a run stops when its time is up and plans the rest in later handlers: a slow disk never holds the loop") {
  PlannerFixture f;
  SlowDiskClock slow{f.vt, 4ms};
  controller::PlannerSettings settings;
  settings.run_budget = 10ms;
  controller::SettlementPlanner planner{f.store, f.queue, f.vt, slow, [] {}, settings};
  add_ended_sessions(f, 10);
  const int first = planner.run();
  CHECK(first >= 1);
  CHECK(first <= 3);  // 10 ms at 4 ms a look: not the whole batch of 10
  CHECK(settled(f) == first);
  f.vt.run_ready();  // the rest, run after run, each its own handler
  CHECK(settled(f) == 10);
}

TEST_CASE("a denied session whose hold was answered only 429s, then finished unsent, is settled") {
  PlannerFixture f;
  f.add_session("s1");
  const std::int64_t preauth = f.enqueue("s1", "preauth", 5000);
  for (int send = 0; send < 2; ++send) {  // the entry's send, then the queue's after the pause
    REQUIRE(f.queue.mark_in_flight(preauth, f.now_ms()).ok());
    db::OutcomeWrite limited;
    limited.id = preauth;
    limited.to = db::OutcomeWrite::To::retry;
    limited.text = "HTTP 429";
    limited.finished_at_ms = f.now_ms();
    limited.next_attempt_at_ms = f.now_ms();
    limited.maybe_executed = false;
    const auto recorded = f.queue.record_outcomes({limited});
    REQUIRE(recorded.ok());
    REQUIRE(recorded->front().ok());
  }
  f.deny_session("s1");
  REQUIRE(f.op(preauth).state == PaymentOpState::dead);
  REQUIRE(f.op(preauth).attempts == 2);
  // No hold can stand: nothing waits for an operator, and the session does not clog a batch.
  CHECK(f.planner.run() == 1);
  CHECK(f.settlement("s1").has_value());
}

TEST_CASE("a run stops at the first write a locked database refuses instead of waiting on each session") {
  PlannerFixture f;
  add_ended_sessions(f, 5);
  auto lock = std::make_unique<OtherWriter>(f);
  const auto busy_before = db::failed_operations().db_busy;
  CHECK(f.planner.run() == 0);
  CHECK(db::failed_operations().db_busy - busy_before == 1);  // one try, not five
  lock.reset();
  f.vt.advance(controller::PlannerSettings{}.backstop);
  CHECK(f.planner.run() == 5);
}

TEST_CASE("a session that fails for its own row is left out for a while: the sessions after it are planned") {
  PlannerFixture f;
  SlowDiskClock slow{f.vt, 20ms};  // so slow that each run tries one session only
  controller::SettlementPlanner planner{f.store, f.queue, f.vt, slow, [] {}};
  add_ended_sessions(f, 3);
  f.t.db->sql().exec("CREATE TRIGGER bad_row BEFORE INSERT ON settlements WHEN NEW.session_id = 's0'"
                     " BEGIN SELECT RAISE(ABORT, 'a bad row'); END");
  CHECK(planner.run() == 0);  // s0, the oldest, fails
  f.vt.run_ready();           // not tried again at once: s1, then s2
  CHECK(settled(f) == 2);
  CHECK_FALSE(f.settlement("s0").has_value());
  // Its wait over, it is tried again.
  f.t.db->sql().exec("DROP TRIGGER bad_row");
  f.vt.advance(controller::PlannerSettings{}.failed_session_wait);
  CHECK(planner.run() == 1);
  CHECK(f.settlement("s0").has_value());
}
