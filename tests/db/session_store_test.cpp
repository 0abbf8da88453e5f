// SessionStore: single use of entry tokens (also across restarts), the session state
// machine's guards, atomicity of state changes with their outbox messages, the offline
// admissions window, and the retention and purge of used token ids.
#include <catch2/catch.hpp>

#include <tuple>

#include <SQLiteCpp/Database.h>

#include "db/outbox.hpp"
#include "db/payment_queue.hpp"
#include "db/session_store.hpp"
#include "tests/db/db_test_support.hpp"

using Catch::Matchers::Contains;
using namespace passgate::db;
using namespace passgate::db::test;

namespace {

const OutboxMessage kOpenRequest{.kind = "session_open", .target = "/v1/sessions", .body = R"({"session_id":"s1"})", .session_id = "s1"};
const OutboxMessage kCancel{.kind = "cancel", .target = "/v1/sessions/s1/cancel", .body = "{}", .session_id = "s1"};

SessionState state_of(SessionStore& store, const std::string& session_id) {
  const auto found = store.find(session_id);
  REQUIRE(describe(found) == "ok");
  REQUIRE(found->has_value());
  return (*found)->state;
}

std::int64_t outbox_size(Database& db) {
  const auto size = Outbox(db).size();
  REQUIRE(describe(size) == "ok");
  return *size;
}

void require_wrong_state(const passgate::Status& status, const std::string& message) {
  REQUIRE_FALSE(status.ok());
  CHECK(status.error().code == "wrong_state");
  CHECK(status.error().message == message);
}

// A pending entry hold of 5000 USD for `session_id` (no alert if it fails); its id.
std::int64_t queue_hold(PaymentQueue& queue, const std::string& session_id) {
  NewPaymentOp op;
  op.session_id = session_id;
  op.op = "preauth";
  op.amount_minor = 5000;
  op.currency = "USD";
  op.alert_on_failure = false;
  const auto id = queue.enqueue(op, kNow);
  REQUIRE(describe(id) == "ok");
  return *id;
}

PaymentOpRecord op_of(PaymentQueue& queue, std::int64_t id) {
  const auto found = queue.find(id);
  REQUIRE(describe(found) == "ok");
  REQUIRE(found->has_value());
  return **found;
}

// What the drainer records for an answer to operation `id` in flight, at `at_ms`: a 429 to one
// send (the gateway did not run it: `maybe_executed` false), or any other answer to retry.
void record_retry(PaymentQueue& queue, std::int64_t id, bool maybe_executed, std::int64_t at_ms) {
  OutcomeWrite w;
  w.id = id;
  w.to = OutcomeWrite::To::retry;
  w.text = maybe_executed ? "HTTP 503" : "HTTP 429";
  w.finished_at_ms = at_ms;
  w.next_attempt_at_ms = at_ms + 30000;
  w.maybe_executed = maybe_executed;
  const auto statuses = queue.record_outcomes({w});
  REQUIRE(describe(statuses) == "ok");
  REQUIRE(statuses->size() == 1);
  REQUIRE(describe(statuses->front()) == "ok");
}

}  // namespace

TEST_CASE("begin records the session in state opening and marks its token used") {
  TestDatabase t;
  SessionStore store(*t.db);
  SessionRecord s = session("s1", "jti-aaaaaaaaaaaaaaaa");
  s.state = SessionState::open;  // ignored: a session always begins opening
  REQUIRE(describe(begin_session(store, s)) == "ok");

  const auto found = store.find("s1");
  REQUIRE(describe(found) == "ok");
  REQUIRE(found->has_value());
  const SessionRecord& r = **found;
  CHECK(r.session_id == "s1");
  CHECK(r.token_id == s.token_id);
  CHECK(r.token_expires_at == s.token_expires_at);
  CHECK(r.lane == s.lane);
  CHECK(r.shopper == s.shopper);
  CHECK(r.group_size == s.group_size);
  CHECK(r.admitted_at == s.admitted_at);
  CHECK(r.created_at_ms == s.created_at_ms);
  CHECK_FALSE(r.offline);
  CHECK(r.state == SessionState::opening);
  CHECK(r.open_request == s.open_request);
  CHECK(r.denial_reason.empty());

  CHECK(*store.token_used(s.token_id));
  CHECK_FALSE(*store.token_used("jti-never-seen"));
  const auto missing = store.find("s-unknown");
  REQUIRE(describe(missing) == "ok");
  CHECK_FALSE(missing->has_value());
}

TEST_CASE("a token id begins only one session and the replay writes nothing") {
  TestDatabase t;
  SessionStore store(*t.db);
  REQUIRE(describe(begin_session(store, session("s1", "jti-1"))) == "ok");

  const auto replay = begin_session(store, session("s2", "jti-1"));
  REQUIRE_FALSE(replay.ok());
  CHECK(replay.error().code == "replayed");
  CHECK_THAT(replay.error().message, Contains("jti-1") && Contains("s2"));
  CHECK_FALSE(store.find("s2")->has_value());
  CHECK(store.all()->size() == 1);
}

TEST_CASE("a used token stays used after a restart") {
  TestDatabase t;
  REQUIRE(describe(SessionStore(*t.db).begin(session("s1", "jti-1"), open_request_of(session("s1", "jti-1")))) == "ok");
  t.reopen();
  SessionStore store(*t.db);
  CHECK(*store.token_used("jti-1"));
  const auto replay = begin_session(store, session("s2", "jti-1"));
  REQUIRE_FALSE(replay.ok());
  CHECK(replay.error().code == "replayed");
  CHECK(state_of(store, "s1") == SessionState::opening);
}

TEST_CASE("denying with release_token lets the same token begin again, without it the token stays used") {
  TestDatabase t;
  SessionStore store(*t.db);
  REQUIRE(describe(begin_session(store, session("s1", "jti-1"))) == "ok");
  REQUIRE(describe(begin_session(store, session("s2", "jti-2"))) == "ok");

  REQUIRE(describe(store.mark_denied("s1", "lane_unavailable", true, kNow)) == "ok");
  CHECK_FALSE(*store.token_used("jti-1"));
  CHECK(describe(begin_session(store, session("s1-retry", "jti-1"))) == "ok");

  REQUIRE(describe(store.mark_denied("s2", "shopper_blocked", false, kNow)) == "ok");
  CHECK(*store.token_used("jti-2"));
  CHECK(begin_session(store, session("s2-retry", "jti-2")).error().code == "replayed");

  const auto denied = store.find("s2");
  CHECK((*denied)->state == SessionState::denied);
  CHECK((*denied)->denial_reason == "shopper_blocked");
}

TEST_CASE("a state change only leaves the state it expects") {
  TestDatabase t;
  SessionStore store(*t.db);
  REQUIRE(describe(begin_session(store, session("s1", "jti-1"))) == "ok");

  SECTION("opening -> open -> cancelled") {
    require_wrong_state(store.mark_cancelled("s1", kCancel, 1),
                        "cannot mark session s1 cancelled: it is opening, not open or open_offline");
    REQUIRE(describe(store.mark_open("s1")) == "ok");
    CHECK(state_of(store, "s1") == SessionState::open);
    require_wrong_state(store.mark_open("s1"), "cannot mark session s1 open: it is open, not opening");
    require_wrong_state(store.mark_open_offline("s1", kOpenRequest, 1),
                        "cannot mark session s1 open_offline: it is open, not opening");
    require_wrong_state(store.mark_denied("s1", "x", true, kNow), "cannot mark session s1 denied: it is open, not opening");
    CHECK(*store.token_used("jti-1"));  // the refused denial released nothing

    REQUIRE(describe(store.mark_cancelled("s1", kCancel, 1)) == "ok");
    CHECK(state_of(store, "s1") == SessionState::cancelled);
    require_wrong_state(store.mark_cancelled("s1", kCancel, 1),
                        "cannot mark session s1 cancelled: it is cancelled, not open or open_offline");
  }
  SECTION("opening -> open_offline -> cancelled") {
    REQUIRE(describe(store.mark_open_offline("s1", kOpenRequest, 1)) == "ok");
    require_wrong_state(store.mark_open("s1"), "cannot mark session s1 open: it is open_offline, not opening");
    REQUIRE(describe(store.mark_cancelled("s1", kCancel, 1)) == "ok");
    CHECK(state_of(store, "s1") == SessionState::cancelled);
  }
  SECTION("opening -> denied is final") {
    REQUIRE(describe(store.mark_denied("s1", "offline_limit", false, kNow)) == "ok");
    require_wrong_state(store.mark_open("s1"), "cannot mark session s1 open: it is denied, not opening");
    require_wrong_state(store.mark_denied("s1", "x", false, kNow), "cannot mark session s1 denied: it is denied, not opening");
  }
  SECTION("an unknown session") {
    require_wrong_state(store.mark_open("nope"), "cannot mark session nope open: no such session");
    require_wrong_state(store.mark_cancelled("nope", kCancel, 1),
                        "cannot mark session nope cancelled: no such session");
  }
}

TEST_CASE("mark_open_offline queues the open request exactly when the state changes") {
  TestDatabase t;
  SessionStore store(*t.db);
  const SessionRecord s1 = session("s1", "jti-1");
  REQUIRE(describe(begin_session(store, s1)) == "ok");
  // begin queued the open request, held back while the session is opening.
  CHECK(outbox_size(*t.db) == 1);
  CHECK(Outbox(*t.db).sendable(0, 10)->empty());

  REQUIRE(describe(store.mark_open_offline("s1", kOpenRequest, 5000)) == "ok");
  const auto found = store.find("s1");
  CHECK((*found)->state == SessionState::open_offline);
  CHECK((*found)->offline);
  const auto front = Outbox(*t.db).front();
  REQUIRE(describe(front) == "ok");
  REQUIRE(front->has_value());
  // The message begin queued, not a second one.
  CHECK((*front)->message.kind == "session_open");
  CHECK((*front)->message.target == "/v1/sessions");
  CHECK((*front)->message.body == s1.open_request);
  CHECK((*front)->created_at_ms == s1.created_at_ms);

  CHECK_FALSE(store.mark_open_offline("s1", kOpenRequest, 6000).ok());
  CHECK(outbox_size(*t.db) == 1);
}

TEST_CASE("mark_cancelled queues the cancel message exactly when the state changes") {
  TestDatabase t;
  SessionStore store(*t.db);
  REQUIRE(describe(begin_session(store, session("s1", "jti-1"))) == "ok");

  CHECK_FALSE(store.mark_cancelled("s1", kCancel, 1).ok());  // still opening
  CHECK(outbox_size(*t.db) == 1);                            // its open request, held back

  REQUIRE(describe(store.mark_open("s1")) == "ok");
  CHECK(outbox_size(*t.db) == 0);  // the engine has the open request
  REQUIRE(describe(store.mark_cancelled("s1", kCancel, 2)) == "ok");
  CHECK(outbox_size(*t.db) == 1);
  CHECK((*Outbox(*t.db).front())->message.kind == "cancel");
}

TEST_CASE("a session a restart left opening is cancelled with its open request, then the cancel, queued") {
  TestDatabase t;
  SessionStore store(*t.db);
  const SessionRecord s1 = session("s1", "jti-1");
  REQUIRE(describe(begin_session(store, s1)) == "ok");
  REQUIRE(describe(begin_session(store, session("s2", "jti-2"))) == "ok");
  REQUIRE(describe(store.mark_open("s2")) == "ok");

  REQUIRE(describe(store.abandon_opening("s1", kOpenRequest, kCancel, 7000)) == "ok");
  CHECK(state_of(store, "s1") == SessionState::cancelled);
  CHECK(*store.token_used("jti-1"));
  Outbox outbox(*t.db);
  CHECK(*outbox.size() == 2);
  const auto first = outbox.front();
  CHECK((*first)->message.kind == "session_open");
  CHECK((*first)->message.body == s1.open_request);  // the one begin queued
  REQUIRE(describe(outbox.remove((*first)->id)) == "ok");
  CHECK((*outbox.front())->message.kind == "cancel");
  REQUIRE(describe(outbox.remove((*outbox.front())->id)) == "ok");

  require_wrong_state(store.abandon_opening("s2", kOpenRequest, kCancel, 7000),
                      "cannot mark session s2 cancelled: it is open, not opening");
  CHECK(*outbox.size() == 0);
}

TEST_CASE("denying or abandoning an entry finishes its hold if it was never sent, a hold sent once stays queued") {
  TestDatabase t;
  SessionStore store(*t.db);
  PaymentQueue queue(*t.db);
  for (const char* id : {"unsent-denied", "sent-denied", "unsent-opened", "unsent-abandoned", "in-flight-abandoned"}) {
    REQUIRE(describe(begin_session(store, session(id, std::string("jti-") + id))) == "ok");
  }
  const std::int64_t unsent_denied = queue_hold(queue, "unsent-denied");
  const std::int64_t sent_denied = queue_hold(queue, "sent-denied");
  REQUIRE(describe(queue.mark_in_flight(sent_denied, kNow)) == "ok");  // sent, outcome unknown
  REQUIRE(describe(queue.mark_retry(sent_denied, kNow + 1000, "timeout after 1500 ms")) == "ok");
  const std::int64_t unsent_opened = queue_hold(queue, "unsent-opened");
  const std::int64_t unsent_abandoned = queue_hold(queue, "unsent-abandoned");
  const std::int64_t in_flight_abandoned = queue_hold(queue, "in-flight-abandoned");
  REQUIRE(describe(queue.mark_in_flight(in_flight_abandoned, kNow)) == "ok");
  REQUIRE(queue.totals()->outstanding_ops == 5);

  REQUIRE(describe(store.mark_denied("unsent-denied", "offline_limit", true, kNow + 10)) == "ok");
  REQUIRE(describe(store.mark_denied("sent-denied", "offline_limit", true, kNow + 10)) == "ok");
  REQUIRE(describe(store.deny_after_open("unsent-opened", "tracking_unreachable", true, kOpenRequest, kCancel,
                                         kNow + 20)) == "ok");
  REQUIRE(describe(store.abandon_opening("unsent-abandoned", kOpenRequest, kCancel, kNow + 30)) == "ok");
  REQUIRE(describe(store.abandon_opening("in-flight-abandoned", kOpenRequest, kCancel, kNow + 30)) == "ok");

  for (const auto& [id, reason, at] : {std::tuple{unsent_denied, kHoldNotSentDenied, kNow + 10},
                                       std::tuple{unsent_opened, kHoldNotSentDenied, kNow + 20},
                                       std::tuple{unsent_abandoned, kHoldNotSentAbandoned, kNow + 30}}) {
    INFO("operation " << id);
    const PaymentOpRecord finished = op_of(queue, id);
    CHECK(finished.state == PaymentOpState::dead);
    CHECK_FALSE(finished.alert);  // not a dead letter: nothing to do for anyone
    CHECK(finished.attempts == 0);
    CHECK(finished.last_error == reason);
    CHECK(finished.finished_at_ms == at);
  }
  // Sent once: the gateway may hold it; it stays queued (the settlement voids what it placed).
  CHECK(op_of(queue, sent_denied).state == PaymentOpState::pending);
  CHECK(op_of(queue, in_flight_abandoned).state == PaymentOpState::in_flight);
  const auto totals = queue.totals();
  REQUIRE(describe(totals) == "ok");
  CHECK(totals->outstanding_ops == 2);
  CHECK(totals->outstanding_minor.at("USD").minor == 10000);
  CHECK(totals->dead_letters == 0);
}

TEST_CASE("a hold answered only 429 is finished unsent when its shopper is denied, before or after the answer") {
  TestDatabase t;
  SessionStore store(*t.db);
  PaymentQueue queue(*t.db);
  // A session being admitted, its hold in flight.
  const auto hold_of = [&](const std::string& session_id) {
    REQUIRE(describe(begin_session(store, session(session_id, "jti-" + session_id))) == "ok");
    const std::int64_t id = queue_hold(queue, session_id);
    REQUIRE(describe(queue.mark_in_flight(id, kNow)) == "ok");
    return id;
  };
  const auto answered = [&](std::int64_t id, bool maybe_executed) { record_retry(queue, id, maybe_executed, kNow + 50); };
  const auto finished_unsent = [&](std::int64_t id) {
    const PaymentOpRecord op = op_of(queue, id);
    INFO("operation " << id << " " << to_string(op.state) << " " << op.last_error);
    CHECK(op.state == PaymentOpState::dead);
    CHECK(op.last_error == kHoldNotSentDenied);
    CHECK_FALSE(op.alert);
    CHECK(op.attempts == 1);
    CHECK_FALSE(op.maybe_executed);
  };

  // Answered 429, then denied: the denial finishes it (before: attempts = 1 kept it queued).
  const std::int64_t limited_then_denied = hold_of("limited-then-denied");
  answered(limited_then_denied, false);
  REQUIRE(op_of(queue, limited_then_denied).state == PaymentOpState::pending);
  REQUIRE(describe(store.mark_denied("limited-then-denied", "offline_limit", true, kNow + 60)) == "ok");
  finished_unsent(limited_then_denied);

  // Denied while in flight, then answered 429: recording the answer finishes it.
  const std::int64_t denied_then_limited = hold_of("denied-then-limited");
  REQUIRE(describe(store.mark_denied("denied-then-limited", "offline_limit", true, kNow + 40)) == "ok");
  REQUIRE(op_of(queue, denied_then_limited).state == PaymentOpState::in_flight);
  answered(denied_then_limited, false);
  finished_unsent(denied_then_limited);

  // Any other answer may come from a request that ran: queued, the settlement voids the hold.
  const std::int64_t unknown_then_denied = hold_of("unknown-then-denied");
  answered(unknown_then_denied, true);
  REQUIRE(describe(store.mark_denied("unknown-then-denied", "offline_limit", true, kNow + 60)) == "ok");
  const std::int64_t denied_then_unknown = hold_of("denied-then-unknown");
  REQUIRE(describe(store.mark_denied("denied-then-unknown", "offline_limit", true, kNow + 40)) == "ok");
  answered(denied_then_unknown, true);
  for (const std::int64_t id : {unknown_then_denied, denied_then_unknown}) {
    const PaymentOpRecord op = op_of(queue, id);
    INFO("operation " << id);
    CHECK(op.state == PaymentOpState::pending);
    CHECK(op.maybe_executed);
  }
  // Once possibly run, a later 429 does not make it unsent again.
  REQUIRE(describe(queue.mark_in_flight(unknown_then_denied, kNow + 30000)) == "ok");
  answered(unknown_then_denied, false);
  CHECK(op_of(queue, unknown_then_denied).state == PaymentOpState::pending);
  CHECK(op_of(queue, unknown_then_denied).maybe_executed);

  // A hold left in flight by a stop may have been sent: never finished unsent afterwards.
  const std::int64_t stopped = hold_of("stopped");
  REQUIRE(describe(queue.resume_in_flight(kNow + 70)) == "ok");
  REQUIRE(describe(store.mark_denied("stopped", "offline_limit", true, kNow + 80)) == "ok");
  CHECK(op_of(queue, stopped).state == PaymentOpState::pending);
  CHECK(op_of(queue, stopped).maybe_executed);
}

TEST_CASE("a grant cancelled unused finishes its hold if the gateway cannot have run it") {
  TestDatabase t;
  SessionStore store(*t.db);
  PaymentQueue queue(*t.db);
  std::vector<std::int64_t> holds;
  for (const char* id : {"unsent", "sent", "in-flight"}) {
    REQUIRE(describe(begin_session(store, session(id, std::string("jti-") + id))) == "ok");
    holds.push_back(queue_hold(queue, id));
    // As entry_hold.cpp queues the hold of an entry admitted offline: it alerts if it fails.
    REQUIRE(describe(queue.set_alert(holds.back(), true)) == "ok");
    REQUIRE(op_of(queue, holds.back()).alert);
    REQUIRE(describe(store.mark_open_offline(id, kOpenRequest, kNow)) == "ok");
  }
  REQUIRE(describe(queue.mark_in_flight(holds[1], kNow)) == "ok");
  REQUIRE(describe(queue.mark_retry(holds[1], kNow + 1000, "timeout after 1500 ms")) == "ok");
  for (const char* id : {"unsent", "sent"}) REQUIRE(describe(store.mark_cancelled(id, kCancel, kNow + 50)) == "ok");
  const PaymentOpRecord unsent = op_of(queue, holds[0]);
  CHECK(unsent.state == PaymentOpState::dead);
  CHECK(unsent.last_error == kHoldNotSentCancelled);
  CHECK_FALSE(unsent.alert);
  // Sent once: may stand at the gateway, voided by the settlement.
  CHECK(op_of(queue, holds[1]).state == PaymentOpState::pending);

  // Cancelled while its hold was in flight, then the hold is answered 429: finished when recorded.
  REQUIRE(describe(queue.mark_in_flight(holds[2], kNow)) == "ok");
  REQUIRE(describe(store.mark_cancelled("in-flight", kCancel, kNow + 60)) == "ok");
  record_retry(queue, holds[2], false, kNow + 70);
  const PaymentOpRecord finished = op_of(queue, holds[2]);
  CHECK(finished.state == PaymentOpState::dead);
  CHECK(finished.last_error == kHoldNotSentCancelled);
  CHECK_FALSE(finished.alert);
}

TEST_CASE("a hold whose row refuses to be finished does not undo the denial: it stays queued") {
  TestDatabase t;
  SessionStore store(*t.db);
  PaymentQueue queue(*t.db);
  REQUIRE(describe(begin_session(store, session("s1", "jti-1"))) == "ok");
  NewPaymentOp op;
  op.session_id = "s1";
  op.op = "preauth";
  op.amount_minor = 5000;
  op.currency = "USD";
  const auto id = queue.enqueue(op, kNow);
  REQUIRE(describe(id) == "ok");
  t.db->sql().exec("CREATE TEMP TRIGGER bad_row BEFORE UPDATE OF state ON payment_ops"
                   " BEGIN SELECT RAISE(ABORT, 'database disk image is malformed'); END");
  REQUIRE(describe(store.mark_denied("s1", "offline_limit", true, kNow + 10)) == "ok");
  CHECK(state_of(store, "s1") == SessionState::denied);
  const auto held = queue.find(*id);
  REQUIRE(describe(held) == "ok");
  CHECK((*held)->state == PaymentOpState::pending);  // the settlement voids whatever it places
}

TEST_CASE("a state change is undone when its outbox message cannot be written") {
  TestDatabase t;
  SessionStore store(*t.db);
  REQUIRE(describe(begin_session(store, session("s1", "jti-1"))) == "ok");
  t.db->sql().exec(
      "CREATE TEMP TRIGGER refuse_outbox BEFORE INSERT ON outbox BEGIN SELECT RAISE(ABORT, 'outbox refused'); END");

  const auto abandoned = store.abandon_opening("s1", kOpenRequest, kCancel, 1);
  REQUIRE_FALSE(abandoned.ok());
  CHECK(abandoned.error().code == "db_error");
  CHECK(abandoned.error().message == "mark session s1 cancelled: outbox refused");
  CHECK(state_of(store, "s1") == SessionState::opening);
  CHECK(outbox_size(*t.db) == 1);  // the open request begin queued, nothing more

  REQUIRE(describe(store.mark_open("s1")) == "ok");
  CHECK_FALSE(store.mark_cancelled("s1", kCancel, 1).ok());
  CHECK(state_of(store, "s1") == SessionState::open);
  CHECK(outbox_size(*t.db) == 0);
}

TEST_CASE("a session begun by an older passgated gets its open request with the state change, or neither") {
  TestDatabase t;
  SessionStore store(*t.db);
  REQUIRE(describe(begin_session(store, session("s1", "jti-1"))) == "ok");
  t.db->sql().exec("DELETE FROM outbox");  // an older passgated queued nothing at begin
  t.db->sql().exec(
      "CREATE TEMP TRIGGER refuse_outbox BEFORE INSERT ON outbox BEGIN SELECT RAISE(ABORT, 'outbox refused'); END");
  CHECK_FALSE(store.mark_open_offline("s1", kOpenRequest, 1).ok());
  CHECK(state_of(store, "s1") == SessionState::opening);
  t.db->sql().exec("DROP TRIGGER refuse_outbox");
  REQUIRE(describe(store.mark_open_offline("s1", kOpenRequest, 1)) == "ok");
  CHECK(outbox_size(*t.db) == 1);
  CHECK((*Outbox(*t.db).front())->message.body == kOpenRequest.body);
}

TEST_CASE("offline admissions are counted from the start of the window") {
  TestDatabase t;
  SessionStore store(*t.db);
  const auto admit_offline = [&](const std::string& id, std::int64_t at_ms) {
    REQUIRE(describe(begin_session(store, session(id, "jti-" + id, at_ms))) == "ok");
    REQUIRE(describe(store.mark_open_offline(id, kOpenRequest, at_ms)) == "ok");
  };
  admit_offline("a", 1000);
  admit_offline("b", 2000);
  admit_offline("c", 3000);
  REQUIRE(describe(begin_session(store, session("online", "jti-online", 2500))) == "ok");
  REQUIRE(describe(store.mark_open("online")) == "ok");
  REQUIRE(describe(store.mark_cancelled("c", kCancel, 3500)) == "ok");  // cancelled still counts: the barrier opened

  SessionRecord flagged = session("flagged-denied", "jti-flagged", 2600);
  flagged.offline = true;
  REQUIRE(describe(begin_session(store, flagged)) == "ok");
  REQUIRE(describe(store.mark_denied("flagged-denied", "offline_limit", true, kNow)) == "ok");

  CHECK(*store.offline_admissions_since(0) == 3);
  CHECK(*store.offline_admissions_since(2000) == 2);
  CHECK(*store.offline_admissions_since(2001) == 1);
  CHECK(*store.offline_admissions_since(3001) == 0);
  // Bounded above too (admissions stamped far ahead of the clock are left out).
  CHECK(*store.offline_admissions_since(0, 3000) == 3);
  CHECK(*store.offline_admissions_since(0, 2999) == 2);
  CHECK(*store.offline_admissions_since(1001, 2000) == 1);
  // Counted up to the limit only.
  CHECK(*store.offline_admissions_since(0, 3000, 2) == 2);
  CHECK(*store.offline_admissions_since(0, 3000, 5) == 3);
}

TEST_CASE("sessions are listed oldest first, all or by state") {
  TestDatabase t;
  SessionStore store(*t.db);
  REQUIRE(describe(begin_session(store, session("late", "jti-late", 3000))) == "ok");
  REQUIRE(describe(begin_session(store, session("early", "jti-early", 1000))) == "ok");
  REQUIRE(describe(begin_session(store, session("middle", "jti-middle", 2000))) == "ok");
  REQUIRE(describe(store.mark_open("middle")) == "ok");

  const auto all = store.all();
  REQUIRE(describe(all) == "ok");
  REQUIRE(all->size() == 3);
  CHECK((*all)[0].session_id == "early");
  CHECK((*all)[1].session_id == "middle");
  CHECK((*all)[2].session_id == "late");

  const auto opening = store.in_state(SessionState::opening);
  REQUIRE(describe(opening) == "ok");
  REQUIRE(opening->size() == 2);
  CHECK((*opening)[0].session_id == "early");
  CHECK((*opening)[1].session_id == "late");
  CHECK(store.in_state(SessionState::open)->size() == 1);
  CHECK(store.in_state(SessionState::cancelled)->empty());
}

TEST_CASE("a used token id is kept a day and the largest clock skew past its token's end, sessions stay") {
  TestDatabase t;
  SessionStore store(*t.db);
  constexpr std::int64_t kEnd = 1'795'000'065;  // exp + skew, as admission records it
  REQUIRE(describe(begin_session(store, session("s1", "jti-1", kNow, kEnd))) == "ok");
  REQUIRE(describe(begin_session(store, session("s2", "jti-2", kNow, kEnd + 600))) == "ok");

  // A purge by a clock 10 minutes fast (the reproduction of issue 15), or up to a day and
  // the largest skew fast, forgets nothing.
  for (const std::int64_t by : {kEnd + 600, kEnd + kUsedTokenMarginS, kEnd + kUsedTokenRetentionS}) {
    const auto kept = store.purge_used_tokens(by);
    REQUIRE(describe(kept) == "ok");
    CHECK(kept->forgotten == 0);
    CHECK(*store.token_used("jti-1"));
  }
  const auto purged = store.purge_used_tokens(kEnd + kUsedTokenRetentionS + 1);
  REQUIRE(describe(purged) == "ok");
  CHECK_FALSE(purged->skipped);
  CHECK(purged->forgotten == 1);
  CHECK(purged->mark_s == kEnd + kUsedTokenRetentionS + 1);
  CHECK_FALSE(*store.token_used("jti-1"));
  CHECK(*store.token_used("jti-2"));
  CHECK(store.all()->size() == 2);
}

TEST_CASE("raising the clock skew allowance shortens no used token id's retention") {
  // Admitted under a 5 s allowance (its end recorded as exp + 5); a reload then raises the
  // allowance to the largest the config accepts, so the token scans as valid until exp + 60.
  TestDatabase t;
  SessionStore store(*t.db);
  constexpr std::int64_t kExp = 1'795'000'060;
  REQUIRE(describe(begin_session(store, session("s1", "jti-1", kNow, kExp + 5))) == "ok");

  const auto purged = store.purge_used_tokens(kExp + kMaxClockSkewS + kUsedTokenMarginS);
  REQUIRE(describe(purged) == "ok");
  CHECK(purged->forgotten == 0);
  CHECK(*store.token_used("jti-1"));
  const auto again = begin_session(store, session("s2", "jti-1", kNow, kExp + kMaxClockSkewS));
  REQUIRE_FALSE(again.ok());
  CHECK(again.error().code == "replayed");
}

TEST_CASE("the token purge never goes by a time below its high-water mark, which survives a restart") {
  TestDatabase t;
  constexpr std::int64_t kMark = 1'795'000'600;
  {
    SessionStore store(*t.db);
    CHECK(*store.token_purge_mark() == 0);
    REQUIRE(describe(store.purge_used_tokens(kMark)) == "ok");
    CHECK(*store.token_purge_mark() == kMark);
  }
  t.reopen();
  SessionStore store(*t.db);
  CHECK(*store.token_purge_mark() == kMark);

  const auto behind = store.purge_used_tokens(kMark - 3600);
  REQUIRE(describe(behind) == "ok");
  CHECK(behind->skipped);
  CHECK(behind->forgotten == 0);
  CHECK(behind->mark_s == kMark);
  CHECK(*store.token_purge_mark() == kMark);

  const auto caught_up = store.purge_used_tokens(kMark + 600);
  REQUIRE(describe(caught_up) == "ok");
  CHECK_FALSE(caught_up->skipped);
  CHECK(*store.token_purge_mark() == kMark + 600);
}

TEST_CASE("a token that ended more than a day before the purge's mark is refused as expired, writing nothing") {
  // Its id may have been forgotten: the wall clock that accepted it is behind the records.
  TestDatabase t;
  SessionStore store(*t.db);
  constexpr std::int64_t kMark = 1'795'100'000;
  REQUIRE(describe(store.purge_used_tokens(kMark)) == "ok");

  const auto old = begin_session(store, session("s1", "jti-1", kNow, kMark - kUsedTokenMarginS - 1));
  REQUIRE_FALSE(old.ok());
  CHECK(old.error().code == "expired");
  CHECK_FALSE(*store.token_used("jti-1"));
  CHECK(store.all()->empty());
  REQUIRE(describe(begin_session(store, session("s2", "jti-2", kNow, kMark - kUsedTokenMarginS))) == "ok");
}

TEST_CASE("the newest session's time is the latest admission the gate recorded") {
  TestDatabase t;
  SessionStore store(*t.db);
  CHECK(*store.latest_session_ms() == 0);
  REQUIRE(describe(begin_session(store, session("s1", "jti-1", kNow + 5000))) == "ok");
  REQUIRE(describe(begin_session(store, session("s2", "jti-2", kNow))) == "ok");
  CHECK(*store.latest_session_ms() == kNow + 5000);
}

TEST_CASE("session states round-trip through their names") {
  for (const SessionState s : {SessionState::opening, SessionState::open, SessionState::open_offline,
                               SessionState::denied, SessionState::cancelled}) {
    CHECK(session_state_from_string(to_string(s)) == s);
  }
  CHECK_FALSE(session_state_from_string("closed").has_value());
}
