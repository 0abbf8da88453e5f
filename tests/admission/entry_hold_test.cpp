// The pre-authorization hold at entry: placed before the barrier opens, with the sealed
// payment reference opened only for the request; declines deny payment_declined; an unknown
// outcome is decided by the offline risk limits; nothing in the database file is plaintext.
#include <catch2/catch.hpp>

#include <fstream>
#include <functional>
#include <iterator>
#include <string_view>

#include "controller/tracking/reports.hpp"
#include "tests/admission/admission_fixture.hpp"
#include "tests/support/captured_log.hpp"

using namespace passgate;
using namespace passgate::test;
using passgate::PaymentOutcomeKind;

namespace {

// Starts an admission and runs the loop until the gateway has the preauth request.
std::optional<controller::AdmissionResult>& start(AdmissionFixture& f, std::optional<controller::AdmissionResult>& result) {
  f.admission->request(1, 4, f.token(), [&](controller::AdmissionResult r) { result = std::move(r); });
  f.vt.run_ready();
  return result;
}

// A hold of 5000 the offline risk limits do not cover (max_session_minor 1000): an entry whose
// hold is not known is denied offline_limit. The settlement (its drainer) is started.
void hold_beyond_offline_limits(AdmissionFixture& f) {
  controller::OfflineRiskLimits limits;
  limits.max_session_minor = 1000;
  f.require_hold(5000, limits);
  REQUIRE(f.settlement->start().ok());
}

// A 429 to one send, with Retry-After: the gateway did not run it.
PaymentOutcome rate_limited_for(std::chrono::seconds retry_after) {
  PaymentOutcome limited = FakeGateway::outcome(PaymentOutcomeKind::retry_later, 429);
  limited.retry_after = retry_after;
  return limited;
}

db::PaymentOpRecord only_op(AdmissionFixture& f) {
  auto ops = f.queue->in_states({db::PaymentOpState::pending, db::PaymentOpState::in_flight,
                                 db::PaymentOpState::succeeded, db::PaymentOpState::declined, db::PaymentOpState::dead});
  REQUIRE(ops.ok());
  REQUIRE(ops->size() == 1);
  return ops->front();
}

// From now on the database refuses, as a full disk would, every change of a session's state
// that `when` (an SQL condition on OLD and NEW) names.
void refuse_session_writes(AdmissionFixture& f, const std::string& when) {
  f.database->sql().exec("CREATE TRIGGER disk_full BEFORE UPDATE OF state ON sessions WHEN " + when +
                         " BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END");
}

// An entry whose hold is answered 429 (Retry-After 30 s), then denied offline_limit: the
// denial refused by the database (refuse_session_writes), so its session stays opening.
void deny_after_429(AdmissionFixture& f) {
  std::optional<controller::AdmissionResult> result;
  start(f, result);
  f.gateway.answer_oldest(rate_limited_for(std::chrono::seconds(30)));
  f.vt.run_ready();
  REQUIRE(result.has_value());
  CHECK(result->reason == DenialReason::offline_limit);
  REQUIRE(f.sessions->all().value().at(0).state == db::SessionState::opening);  // the denial waits
}

// Past the pause after deny_after_429's 429: the queue would send the hold; it does not.
void pause_ends_unsent(AdmissionFixture& f) {
  f.vt.advance(std::chrono::seconds(40));
  f.vt.run_ready();
  CHECK(f.gateway.sent.size() == 1);
  CHECK(only_op(f).state == db::PaymentOpState::pending);
}

// The database takes writes again (refuse_session_writes undone): the write that waited is
// made on a retry, the session ends `ended`, and its hold is finished unsent (`why`), never
// placed.
void write_goes_through(AdmissionFixture& f, db::SessionState ended, std::string_view why) {
  f.database->sql().exec("DROP TRIGGER disk_full");
  f.vt.advance(controller::AdmissionService::kDenialRetryMax);
  f.vt.run_ready();
  CHECK(f.sessions->all().value().at(0).state == ended);
  CHECK(only_op(f).state == db::PaymentOpState::dead);
  CHECK(only_op(f).last_error == why);
  f.vt.advance(std::chrono::minutes(5));
  f.vt.run_ready();
  CHECK(f.gateway.sent.size() == 1);
}

std::string file_bytes(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

TEST_CASE("an approved hold is placed before the tracking engine is asked and the shopper admitted") {
  AdmissionFixture f;
  f.require_hold(5000);
  std::optional<controller::AdmissionResult> result;
  start(f, result);
  REQUIRE(f.gateway.calls.size() == 1);
  CHECK(f.tracking.calls.empty());
  const passgate::PaymentRequest& preauth = f.gateway.sent.at(0);
  CHECK(preauth.op == passgate::PaymentOpKind::preauth);
  CHECK(preauth.amount_minor == 5000);
  CHECK(preauth.currency == "USD");
  CHECK(preauth.customer == "cus_test");
  CHECK(preauth.payment_method == "pm_card_visa");
  CHECK(preauth.idempotency_key == preauth.session_id + ":preauth");
  CHECK(only_op(f).state == db::PaymentOpState::in_flight);  // committed before the request

  f.gateway.approve_oldest();
  f.vt.run_ready();
  REQUIRE(f.tracking.calls.size() == 1);
  f.tracking.reply(201);
  f.vt.run_ready();
  REQUIRE(result.has_value());
  CHECK(result->admitted);
  CHECK(only_op(f).state == db::PaymentOpState::succeeded);
}

TEST_CASE("a declined hold denies payment_declined without asking the tracking engine or alerting anyone") {
  AdmissionFixture f;
  f.require_hold(5000);
  std::optional<controller::AdmissionResult> result;
  start(f, result);
  f.gateway.answer_oldest(FakeGateway::outcome(PaymentOutcomeKind::declined, 402));
  f.vt.run_ready();
  REQUIRE(result.has_value());
  CHECK_FALSE(result->admitted);
  CHECK(result->reason == DenialReason::payment_declined);
  CHECK(f.tracking.sent.empty());
  CHECK(only_op(f).state == db::PaymentOpState::declined);
  CHECK(f.queue->totals()->dead_letters == 0);
}

TEST_CASE("an unknown hold outcome admits within the offline risk limits and keeps the hold queued") {
  AdmissionFixture f;
  f.require_hold(5000);
  std::optional<controller::AdmissionResult> result;
  start(f, result);
  f.gateway.answer_oldest(FakeGateway::outcome(PaymentOutcomeKind::unknown, 0, "timeout after 1500 ms"));
  f.vt.run_ready();
  f.tracking.reply(201);
  f.vt.run_ready();
  REQUIRE(result.has_value());
  CHECK(result->admitted);
  const db::PaymentOpRecord op = only_op(f);
  CHECK(op.state == db::PaymentOpState::pending);
  CHECK(op.alert);  // a later decline needs an operator: the shopper is inside
  CHECK(op.idempotency_key == result->session_id + ":preauth");
}

TEST_CASE("an unknown hold outcome beyond the offline risk limits denies offline_limit") {
  AdmissionFixture f;
  controller::OfflineRiskLimits limits;
  limits.max_session_minor = 1000;  // less than the hold
  f.require_hold(5000, limits);
  std::optional<controller::AdmissionResult> result;
  start(f, result);
  f.gateway.answer_oldest(FakeGateway::outcome(PaymentOutcomeKind::unknown, 503));
  f.vt.run_ready();
  REQUIRE(result.has_value());
  CHECK(result->reason == DenialReason::offline_limit);
  CHECK(f.tracking.sent.empty());
  // The hold may have been placed: it stays queued so it is resolved (and voided) later.
  CHECK(only_op(f).state == db::PaymentOpState::pending);
}

TEST_CASE("entries denied after a 429 leave no hold queued: neither the one answered 429 nor one never sent") {
  AdmissionFixture f;
  hold_beyond_offline_limits(f);
  std::optional<controller::AdmissionResult> first;
  start(f, first);
  REQUIRE(f.gateway.calls.size() == 1);
  f.gateway.answer_oldest(rate_limited_for(std::chrono::seconds(30)));
  f.vt.run_ready();
  REQUIRE(first.has_value());
  CHECK(first->reason == DenialReason::offline_limit);

  // During the pause the next shopper's hold is not sent, and the limits turn them away.
  f.vt.advance(std::chrono::seconds(1));
  std::optional<controller::AdmissionResult> second;
  f.admission->request(1, 4, f.token(), [&](controller::AdmissionResult r) { second = std::move(r); });
  f.vt.run_ready();
  REQUIRE(second.has_value());
  CHECK(second->reason == DenialReason::offline_limit);
  CHECK(f.gateway.sent.size() == 1);

  const auto holds = f.queue->in_states({db::PaymentOpState::pending, db::PaymentOpState::in_flight,
                                         db::PaymentOpState::dead, db::PaymentOpState::declined});
  REQUIRE(holds.ok());
  REQUIRE(holds->size() == 2);  // oldest first
  // Both finished unsent, no dead letter: no card is held for a shopper who was turned away.
  for (const db::PaymentOpRecord& hold : *holds) {
    INFO("hold " << hold.id);
    CHECK(hold.state == db::PaymentOpState::dead);
    CHECK(hold.last_error == db::kHoldNotSentDenied);
    CHECK_FALSE(hold.alert);
    CHECK_FALSE(hold.maybe_executed);
  }
  CHECK(holds->at(0).attempts == 1);  // sent once, answered 429
  CHECK(holds->at(1).attempts == 0);
  const auto totals = f.queue->totals();
  REQUIRE(totals.ok());
  CHECK(totals->outstanding_ops == 0);
  CHECK(totals->dead_letters == 0);

  // After the pause nothing goes out.
  f.vt.advance(std::chrono::seconds(60));
  f.vt.run_ready();
  CHECK(f.gateway.sent.size() == 1);
}

TEST_CASE("a hold answered 429 whose denial the database refused is not sent after the pause, then finished") {
  AdmissionFixture f;
  hold_beyond_offline_limits(f);
  refuse_session_writes(f, "NEW.state = 'denied'");
  deny_after_429(f);

  // The pause ends: the queue would send the hold of the opening session; it does not.
  pause_ends_unsent(f);
  // The database takes the denial: the hold is finished unsent, never placed.
  write_goes_through(f, db::SessionState::denied, db::kHoldNotSentDenied);
}

TEST_CASE("a hold held back for a denial the database refused is never claimed: a crash leaves it unsent, not in flight") {
  AdmissionFixture f;
  hold_beyond_offline_limits(f);
  refuse_session_writes(f, "NEW.state = 'denied'");
  deny_after_429(f);
  const db::PaymentOpRecord sent_once = only_op(f);
  REQUIRE(sent_once.attempts == 1);

  // Long past the pause, through many looks: never marked in flight, so no attempt is added.
  for (int i = 0; i < 10; ++i) {
    f.vt.advance(std::chrono::minutes(1));
    f.vt.run_ready();
  }
  CHECK(f.gateway.sent.size() == 1);
  const db::PaymentOpRecord held = only_op(f);
  CHECK(held.state == db::PaymentOpState::pending);
  CHECK(held.attempts == 1);
  CHECK(held.first_attempt_at_ms == sent_once.first_attempt_at_ms);
  CHECK_FALSE(held.maybe_executed);
  CHECK(f.settlement->drainer().in_flight() == 0);

  // The process dies (the denial in memory dies with it); the restart closes the session and
  // finishes the hold unsent: it was not left in flight, "maybe executed".
  f.vt.drop_pending();
  f.restart();
  f.database->sql().exec("DROP TRIGGER disk_full");
  f.recover_interrupted();
  CHECK(only_op(f).state == db::PaymentOpState::dead);
  CHECK(only_op(f).last_error == db::kHoldNotSentAbandoned);
}

TEST_CASE("a hold held back for a denial the database refused is not looked up either when the wall clock steps back") {
  AdmissionFixture f;
  hold_beyond_offline_limits(f);
  refuse_session_writes(f, "NEW.state = 'denied'");
  deny_after_429(f);
  pause_ends_unsent(f);
  // Its first attempt cannot be shown younger than the gateway keeps keys, and the step brings
  // retries forward: it would be looked up at once.
  f.vt.set_wall(f.vt.wall_now() - std::chrono::hours(2));
  for (int i = 0; i < 10; ++i) {
    f.vt.advance(std::chrono::minutes(1));
    f.vt.run_ready();
  }
  CHECK(f.gateway.searches.empty());
  CHECK(f.gateway.sent.size() == 1);
  CHECK(only_op(f).state == db::PaymentOpState::pending);
  CHECK_FALSE(only_op(f).maybe_executed);
}

TEST_CASE("an entry whose close at start-up the database refused keeps its hold unsent until the close is written") {
  AdmissionFixture f;
  hold_beyond_offline_limits(f);
  refuse_session_writes(f, "OLD.state = 'opening'");
  deny_after_429(f);
  const std::string id = f.sessions->all().value().at(0).session_id;

  // A restart loses the denial waiting in memory, and the database refuses the close at start.
  f.vt.drop_pending();
  f.restart();
  f.recover_interrupted();
  REQUIRE(f.sessions->all().value().at(0).state == db::SessionState::opening);
  CHECK(f.admission->denial_unrecorded(id));  // anti-passback leaves it out too
  REQUIRE(f.settlement->start().ok());
  pause_ends_unsent(f);
  // The close is written on a retry: the hold is finished unsent, never placed.
  write_goes_through(f, db::SessionState::cancelled, db::kHoldNotSentAbandoned);
  CHECK_FALSE(f.admission->denial_unrecorded(id));
}

namespace {

// An entry admitted offline after its hold was answered 429, whose shopper does not walk
// through: the grant's cancel (TrackingReports::grant_unused) is refused by the database and
// handed to the admission service's write_later. The reports must outlive the retries.
struct RefusedCancel {
  std::unique_ptr<controller::TrackingReports> reports;
  std::string session_id;
};
// `before_cancel` runs just before the shopper's grant goes unused (e.g. a graceful stop);
// `hold_answer` is the gateway's answer to the hold (by default a 429: not run).
RefusedCancel unused_grant_cancel_refused(AdmissionFixture& f, const std::function<void()>& before_cancel = {},
                                          passgate::PaymentOutcome hold_answer = rate_limited_for(std::chrono::seconds(30))) {
  f.require_hold(5000);
  REQUIRE(f.settlement->start().ok());
  RefusedCancel refused{
      std::make_unique<controller::TrackingReports>(controller::GateIdentity{kStore, "gate-a"},
                                                    *f.outbox, *f.sessions, f.vt, *f.sender),
      ""};
  refused.reports->set_write_later(f.write_later());
  std::optional<controller::AdmissionResult> result;
  start(f, result);
  f.gateway.answer_oldest(std::move(hold_answer));  // admitted within the offline limits
  f.vt.run_ready();
  f.tracking.reply(201);
  f.vt.run_ready();
  REQUIRE(result.has_value());
  REQUIRE(result->admitted);
  refuse_session_writes(f, "NEW.state = 'cancelled'");
  if (before_cancel) before_cancel();
  refused.reports->grant_unused(result->session_id);
  refused.session_id = result->session_id;
  return refused;
}

}  // namespace

TEST_CASE("an unused grant whose cancel the database refused keeps its hold unsent until the cancel is written") {
  AdmissionFixture f;
  const RefusedCancel refused = unused_grant_cancel_refused(f);
  REQUIRE(f.sessions->all().value().at(0).state == db::SessionState::open);
  pause_ends_unsent(f);
  // The cancel is written on a retry: the hold is finished unsent, never placed.
  write_goes_through(f, db::SessionState::cancelled, db::kHoldNotSentCancelled);
}

TEST_CASE("a rejected hold request denies lane_unavailable and lands in the dead-letter list") {
  AdmissionFixture f;
  f.require_hold(5000);
  std::optional<controller::AdmissionResult> result;
  start(f, result);
  f.gateway.answer_oldest(FakeGateway::outcome(PaymentOutcomeKind::rejected, 401, "authentication_error"));
  f.vt.run_ready();
  REQUIRE(result.has_value());
  CHECK(result->reason == DenialReason::lane_unavailable);
  CHECK(only_op(f).state == db::PaymentOpState::dead);
  CHECK(f.queue->totals()->dead_letters == 1);
}

TEST_CASE("the database file holds the payment reference only sealed") {
  AdmissionFixture f;
  f.require_hold(5000);
  f.gateway.auto_approve = true;
  f.tracking.auto_status = 201;
  std::optional<controller::AdmissionResult> result;
  start(f, result);
  f.vt.run_ready();
  REQUIRE(result.has_value());
  REQUIRE(result->admitted);
  auto session = f.sessions->find(result->session_id);
  REQUIRE(session.ok());
  REQUIRE(session->has_value());
  CHECK((*session)->pay_key_id == f.sealer.current_key_id());
  CHECK_FALSE((*session)->pay_sealed.empty());
  for (const char* file : {"gate.db", "gate.db-wal"}) {
    const std::string bytes = file_bytes(f.dir / file);
    INFO(file);
    CHECK(bytes.find("cus_test") == std::string::npos);
    CHECK(bytes.find("pm_card_visa") == std::string::npos);
  }
}

TEST_CASE("a graceful stop the database still refuses an unused grant's cancel at logs it as lost, for an operator") {
  AdmissionFixture f;
  const RefusedCancel refused = unused_grant_cancel_refused(f);
  CHECK(f.admission->writes_waiting().retrying == 1);  // what the metrics and status show
  passgate::test::CapturedLog log;
  CHECK(f.admission->write_waiting_now() == 1);  // the session stays open: nothing closes it at the next start
  CHECK(f.admission->writes_waiting().total() == 0);
  CHECK(log.count("event=denial_record_lost session=" + refused.session_id) == 1);
  CHECK(log.count("passgatectl sessions cancel it") == 1);
}

TEST_CASE("a grant cancel the database refuses after the stop's last write is logged as lost at once, not queued") {
  // The lanes are torn down after the graceful stop wrote what waited: a lane left in
  // Granting cancels its shopper's grant then, and nothing would write that cancel again.
  AdmissionFixture f;
  passgate::test::CapturedLog log;
  const RefusedCancel refused =
      unused_grant_cancel_refused(f, [&f] { CHECK(f.admission->write_waiting_now() == 0); });
  CHECK(log.count("event=denial_record_lost session=" + refused.session_id) == 1);
  CHECK(log.count("refused after the stop") == 1);
  CHECK_FALSE(f.admission->denial_unrecorded(refused.session_id));
}

TEST_CASE("a hold whose resend waits on a lookup is not sent if its grant's cancel was refused during the lookup") {
  // The hold timed out (it may have run), so its resend is preceded by a lookup at the
  // gateway; while that lookup is under way the shopper's grant goes unused and the database
  // refuses the cancel. The lookup finds nothing: the hold must still not be sent.
  AdmissionFixture f;
  const auto lookup_under_way = [&f] {
    // Resent (and timed out again) until its first attempt is older than search_after (23 h).
    for (int i = 0; i < 200 && f.gateway.searches.empty(); ++i) {
      while (!f.gateway.calls.empty()) {
        f.gateway.answer_oldest(FakeGateway::outcome(PaymentOutcomeKind::unknown, 0, "timeout after 1500 ms"));
      }
      f.vt.advance(std::chrono::minutes(10));
      f.vt.run_ready();
    }
    REQUIRE(f.gateway.searches.size() == 1);
  };
  const RefusedCancel refused = unused_grant_cancel_refused(
      f, lookup_under_way, FakeGateway::outcome(PaymentOutcomeKind::unknown, 0, "timeout after 1500 ms"));
  REQUIRE(f.admission->denial_unrecorded(refused.session_id));
  const std::size_t sent = f.gateway.sent.size();
  PaymentOutcome nothing_found;
  nothing_found.kind = PaymentOutcomeKind::succeeded;
  nothing_found.http_status = 200;
  f.gateway.answer_oldest(nothing_found);
  f.vt.run_ready();
  CHECK(f.gateway.sent.size() == sent);
  CHECK(only_op(f).state == db::PaymentOpState::pending);
}

TEST_CASE("a lost grant cancel whose session has since ended another way is not reported for an operator") {
  AdmissionFixture f;
  const RefusedCancel refused = unused_grant_cancel_refused(f);
  // The tracking engine refused the session meanwhile (close_refused_open): the planner voids its hold.
  f.database->sql().exec("UPDATE sessions SET refused_at_ms = 1 WHERE session_id = '" + refused.session_id + "'");
  passgate::test::CapturedLog log;
  CHECK(f.admission->write_waiting_now() == 0);
  CHECK(log.count("event=denial_record_lost session=" + refused.session_id) == 1);
  CHECK(log.count("next=none") == 1);
  CHECK(log.count("void it by hand") == 0);
}

TEST_CASE("an admission recorded but not yet told to its lane when the stop writes is cancelled, and its answer denies") {
  // The loop stops in the handler that writes what waits: the lane would never hear of the
  // admission, so no grant would ever cancel it, and the next start leaves an open session alone.
  AdmissionFixture f;
  std::optional<controller::AdmissionResult> result;
  start(f, result);  // no hold: the tracking engine is asked at once
  REQUIRE(f.tracking.calls.size() == 1);
  f.tracking.reply(201);
  while (f.sessions->all().value().at(0).state == db::SessionState::opening && f.vt.run_next()) {
  }
  REQUIRE(f.sessions->all().value().at(0).state == db::SessionState::open);
  REQUIRE_FALSE(result.has_value());  // its answer is posted, not yet run
  passgate::test::CapturedLog log;
  CHECK(f.admission->write_waiting_now() == 0);
  CHECK(f.sessions->all().value().at(0).state == db::SessionState::cancelled);
  CHECK(log.count("reason=stopped_before_grant") == 1);
  f.vt.run_ready();
  REQUIRE(result.has_value());
  CHECK_FALSE(result->admitted);
  CHECK(result->reason == DenialReason::lane_unavailable);
}

TEST_CASE("a session an operator cancelled no longer counts among the session-ending writes waiting for the database") {
  AdmissionFixture f;
  const RefusedCancel refused = unused_grant_cancel_refused(f);
  REQUIRE(f.admission->writes_waiting().retrying == 1);
  f.database->sql().exec("DROP TRIGGER disk_full");
  REQUIRE(f.sessions->mark_cancelled(refused.session_id, controller::cancel_message(refused.session_id), 1).ok());
  f.admission->ended_by_operator(refused.session_id);  // passgatectl sessions cancel, committed
  CHECK(f.admission->writes_waiting().total() == 0);   // status and the gauge clear at once
  CHECK_FALSE(f.admission->denial_unrecorded(refused.session_id));
  passgate::test::CapturedLog log;
  CHECK(f.admission->write_waiting_now() == 0);
  CHECK(log.count("event=denial_record_lost") == 0);
}

TEST_CASE("an admission recorded after the stop's writes is cancelled at once, and its answer denies") {
  // Nothing after write_waiting_now would tell its lane or cancel it: left open, its hold on
  // the card, and the next start leaves an open session alone.
  AdmissionFixture f;
  std::optional<controller::AdmissionResult> result;
  start(f, result);  // no hold: the tracking engine is asked at once
  REQUIRE(f.tracking.calls.size() == 1);
  CHECK(f.admission->write_waiting_now() == 0);  // the stop, while the engine's answer is under way
  passgate::test::CapturedLog log;
  f.tracking.reply(201);
  f.vt.run_ready();
  REQUIRE(result.has_value());
  CHECK_FALSE(result->admitted);
  CHECK(result->reason == DenialReason::lane_unavailable);
  CHECK(f.sessions->all().value().at(0).state == db::SessionState::cancelled);
  CHECK(log.count("reason=stopped_before_grant") == 1);
}
