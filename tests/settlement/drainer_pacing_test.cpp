// PaymentDrainer pacing: operations left in flight by a stop are resent with their same key
// at start-up, no more than max_in_flight requests are ever open, a 429 pauses all sending
// for its Retry-After, an operation chained after another waits for it to be final, and
// max_requests_per_second spaces the sends evenly.
#include <catch2/catch.hpp>

#include <algorithm>
#include <optional>
#include <utility>
#include <vector>

#include "controller/settlement/rules.hpp"
#include "tests/settlement/gateway_outcomes.hpp"
#include "tests/settlement/settlement_fixture.hpp"

using namespace passgate;
using namespace passgate::test;
using passgate::PaymentOutcomeKind;
using db::PaymentOpState;

namespace {

// Counts the requests the drainer has open at the gateway (sent, their outcome not yet
// delivered) and remembers the most at any moment.
class OpenRequestCounter final : public passgate::PaymentGateway {
 public:
  explicit OpenRequestCounter(passgate::PaymentGateway& inner) : inner_(inner) {}
  void execute(const passgate::PaymentRequest& request, std::chrono::milliseconds timeout, Callback done) override {
    opened();
    inner_.execute(request, timeout, closing(std::move(done)));
  }
  void search_session(const std::string& session_id, std::chrono::milliseconds timeout, Callback done) override {
    opened();
    inner_.search_session(session_id, timeout, closing(std::move(done)));
  }
  int open = 0;
  int most_open = 0;

 private:
  void opened() { most_open = std::max(most_open, ++open); }
  Callback closing(Callback done) {
    return [this, done = std::move(done)](passgate::PaymentOutcome outcome) {
      --open;
      done(std::move(outcome));
    };
  }
  passgate::PaymentGateway& inner_;
};

// Remembers when each request started (the drainer's sends and lookups).
class StartTimes final : public passgate::PaymentGateway {
 public:
  StartTimes(passgate::PaymentGateway& inner, const passgate::Clock& clock) : inner_(inner), clock_(clock) {}
  void execute(const passgate::PaymentRequest& request, std::chrono::milliseconds timeout, Callback done) override {
    started.push_back(clock_.steady_now());
    inner_.execute(request, timeout, std::move(done));
  }
  void search_session(const std::string& session_id, std::chrono::milliseconds timeout, Callback done) override {
    started.push_back(clock_.steady_now());
    inner_.search_session(session_id, timeout, std::move(done));
  }
  std::vector<passgate::SteadyTime> started;

 private:
  passgate::PaymentGateway& inner_;
  const passgate::Clock& clock_;
};

// How long every send is paused from now: send_now of no operation says it while paused (0: not paused).
std::int64_t pause_told(SettlementFixture& f) {
  std::optional<PaymentOutcome> told;
  f.drainer->send_now(0, Millis{1500}, [&](const PaymentOutcome& outcome) { told = outcome; });
  f.vt.run_ready();
  REQUIRE(told);
  if (told->kind != PaymentOutcomeKind::retry_later) return 0;
  REQUIRE(told->retry_after);
  return told->retry_after->count();
}

}  // namespace

TEST_CASE("at start-up an operation left in flight is resent with its same key") {
  SettlementFixture f;
  f.add_session("s1");
  const std::int64_t id = f.enqueue("s1", "charge", 1234);
  const std::int64_t first_attempt = f.now_ms();
  REQUIRE(f.queue.mark_in_flight(id, first_attempt).ok());  // then the gate stopped
  f.vt.advance(std::chrono::minutes(5));

  f.start_drainer();
  REQUIRE(f.gateway.sent.size() == 1);
  CHECK(f.gateway.sent[0].idempotency_key == "s1:charge");
  CHECK(f.gateway.sent[0].amount_minor == 1234);
  const db::PaymentOpRecord resent = f.op(id);
  CHECK(resent.state == PaymentOpState::in_flight);
  CHECK(resent.attempts == 2);
  CHECK(resent.first_attempt_at_ms == first_attempt);
  CHECK(f.gateway.searches.empty());  // minutes old, not hours: the key is still remembered
  f.gateway.approve_oldest();
  f.vt.run_ready();
  CHECK(f.op(id).state == PaymentOpState::succeeded);
}

TEST_CASE("never more than max_in_flight requests are open at once, and all ten are sent") {
  SettlementFixture f;
  for (int i = 0; i < 10; ++i) {
    const std::string id = "s" + std::to_string(i);
    f.add_session(id);
    f.enqueue(id, "charge", 100 + i);
  }
  OpenRequestCounter counter(f.gateway);
  controller::PaymentDrainer drainer(SettlementFixture::drainer_settings(3), f.queue, f.sessions, f.sealer, counter,
                                     f.gate_status, f.vt, f.vt);
  REQUIRE(drainer.start().ok());
  CHECK(f.gateway.calls.size() == 3);
  CHECK(drainer.in_flight() == 3);
  for (int answered = 0; !f.gateway.calls.empty(); ++answered) {
    REQUIRE(answered < 10);
    f.gateway.approve_oldest();
    f.vt.run_ready();
    CHECK(f.gateway.calls.size() <= 3);
    CHECK(drainer.in_flight() <= 3);
  }
  CHECK(counter.most_open == 3);
  CHECK(f.gateway.sent.size() == 10);
  CHECK(drainer.counters().succeeded == 10);
  auto totals = f.queue.totals();
  REQUIRE(totals.ok());
  CHECK(totals->outstanding_ops == 0);
}

TEST_CASE("max_requests_per_second: sends spaced 1/rate apart, never more than the rate in any second") {
  SettlementFixture f;
  for (int i = 0; i < 30; ++i) {
    const std::string id = "s" + std::to_string(i);
    f.add_session(id);
    f.enqueue(id, "charge", 100 + i);
  }
  StartTimes times(f.gateway, f.vt);
  auto settings = SettlementFixture::drainer_settings(32);
  settings.max_requests_per_second = 10;
  controller::PaymentDrainer drainer(settings, f.queue, f.sessions, f.sealer, times, f.gate_status, f.vt, f.vt);
  REQUIRE(drainer.start().ok());
  CHECK(times.started.size() == 1);  // no burst: one now, the next 100 ms later
  const auto began = f.vt.steady_now();
  while (times.started.size() < 30) {
    REQUIRE(f.vt.steady_now() - began < std::chrono::seconds(10));
    while (!f.gateway.calls.empty()) f.gateway.approve_oldest();  // the gateway answers at once
    f.vt.advance(Millis{10});
  }
  for (std::size_t i = 1; i < times.started.size(); ++i) {
    CHECK(times.started[i] - times.started[i - 1] >= Millis{100});
  }
  // 30 sends at 10 a second: the last 2.9 s after the first, not later than one wake-up more.
  CHECK(times.started.back() - times.started.front() <= Millis{2910});
  while (!f.gateway.calls.empty()) f.gateway.approve_oldest();
  f.vt.run_ready();
  CHECK(drainer.counters().succeeded == 30);

  // Reloaded without pacing: whatever is due goes at once, up to max_in_flight.
  for (int i = 30; i < 40; ++i) {
    const std::string id = "s" + std::to_string(i);
    f.add_session(id);
    f.enqueue(id, "charge", 100 + i);
  }
  settings.max_requests_per_second = 0;
  drainer.reconfigure(settings);
  f.vt.run_ready();
  CHECK(f.gateway.calls.size() == 10);
}

TEST_CASE("a 429 with Retry-After pauses all sending for that long") {
  SettlementFixture f;
  f.add_session("s1");
  f.add_session("s2");
  const std::int64_t first = f.enqueue("s1", "charge", 100);
  f.start_drainer();
  REQUIRE(f.gateway.sent.size() == 1);
  const std::int64_t limited_at = f.now_ms();
  f.gateway.answer_oldest(retry_later(429, std::chrono::seconds(30)));
  f.vt.run_ready();
  CHECK(f.op(first).state == PaymentOpState::pending);
  CHECK(f.op(first).next_attempt_at_ms >= limited_at + 30000);

  const std::int64_t second = f.enqueue("s2", "charge", 200);  // due at once, but the gateway said wait
  f.drainer->kick();
  f.vt.run_ready();
  f.vt.advance(Millis{29999});
  CHECK(f.gateway.sent.size() == 1);
  CHECK(f.op(second).state == PaymentOpState::pending);

  f.vt.advance(Millis{1});
  REQUIRE(f.gateway.sent.size() == 3);
  CHECK(f.gateway.sent[1].idempotency_key == "s2:charge");
  CHECK(f.gateway.sent[2].idempotency_key == "s1:charge");  // the limited one, same key
}

TEST_CASE("during a 429's pause an entry hold sends nothing: retry_later at once, sent after the pause") {
  SettlementFixture f;
  f.add_session("s1");
  (void)f.enqueue("s1", "charge", 100);
  f.start_drainer();
  REQUIRE(f.gateway.sent.size() == 1);
  f.gateway.answer_oldest(retry_later(429, std::chrono::seconds(30)));
  f.vt.run_ready();

  f.vt.advance(std::chrono::seconds(10));
  f.add_session("s2");
  const std::int64_t hold = f.enqueue("s2", "preauth", 5000);
  std::vector<PaymentOutcome> told;
  f.drainer->send_now(hold, Millis{1500}, [&](const PaymentOutcome& outcome) { told.push_back(outcome); });
  f.vt.run_ready();
  REQUIRE(told.size() == 1);
  CHECK(told[0].kind == PaymentOutcomeKind::retry_later);
  CHECK(f.gateway.sent.size() == 1);
  CHECK(f.op(hold).state == PaymentOpState::pending);
  CHECK(f.op(hold).attempts == 0);

  f.vt.advance(std::chrono::seconds(20));  // the pause is over: the queue sends it
  REQUIRE(f.gateway.sent.size() >= 2);
  CHECK(f.gateway.sent[1].idempotency_key == "s2:preauth");
}

TEST_CASE("a lookup answered during a 429's pause is not followed by a send until the pause ends") {
  SettlementFixture f;
  f.add_session("s1");
  f.add_session("s2");
  const std::int64_t old = f.enqueue("s1", "charge", 1234);
  REQUIRE(f.queue.mark_in_flight(old, f.now_ms()).ok());
  REQUIRE(f.queue.mark_retry(old, f.now_ms() + 1000, "timeout after 10000 ms").ok());
  f.vt.advance(std::chrono::hours(24));  // looked up before it is resent
  (void)f.enqueue("s2", "charge", 200);
  f.start_drainer();
  REQUIRE(f.gateway.searches.size() == 1);
  REQUIRE(f.gateway.sent.size() == 1);  // s2
  const std::int64_t limited_at = f.now_ms();
  // s2's 429 first, then the lookup finds nothing (the send would follow).
  REQUIRE(f.gateway.calls.size() == 2);
  std::swap(f.gateway.calls[0], f.gateway.calls[1]);  // the oldest is answered first: s2's, then the lookup
  f.gateway.answer_oldest(retry_later(429, std::chrono::seconds(30)));
  f.gateway.answer_oldest(search_result({}));
  f.vt.run_ready();
  CHECK(f.gateway.sent.size() == 1);
  CHECK(f.op(old).state == PaymentOpState::pending);
  CHECK(f.op(old).next_attempt_at_ms >= limited_at + 30000);
  f.vt.advance(Millis{29999});
  CHECK(f.gateway.sent.size() == 1);
}

TEST_CASE("a 429 pauses all sending no longer than retry_max_ms, and no shorter than retry_initial_ms") {
  SettlementFixture f;
  f.add_session("s1");
  f.add_session("s2");
  (void)f.enqueue("s1", "charge", 100);
  f.start_drainer();
  REQUIRE(f.gateway.sent.size() == 1);
  const bool for_a_day = GENERATE(true, false);
  // A proxy asking for a day, or a Retry-After date already past (0).
  f.gateway.answer_oldest(retry_later(429, for_a_day ? std::chrono::milliseconds(std::chrono::hours(24))
                                                     : std::chrono::milliseconds(0)));
  f.vt.run_ready();
  (void)f.enqueue("s2", "charge", 200);
  f.drainer->kick();
  f.vt.run_ready();
  const Millis cap = f.drainer_settings().retry.cap;
  const Millis first = f.drainer_settings().retry.first;
  f.vt.advance(for_a_day ? cap - Millis{1} : first - Millis{1});
  CHECK(f.gateway.sent.size() == 1);
  f.vt.advance(for_a_day ? Millis{1} : first);  // the backoff after one failure is first to 1.5 x first
  CHECK(f.gateway.sent.size() >= 2);
}

TEST_CASE("a 429's pause is sized on its own, not by the retry history of the operation that got it") {
  SettlementFixture f;
  f.add_session("s1");
  const std::int64_t tired = f.enqueue("s1", "charge", 100);
  for (int i = 0; i < 9; ++i) {  // nine earlier attempts, each without an answer
    REQUIRE(f.queue.mark_in_flight(tired, f.now_ms()).ok());
    REQUIRE(f.queue.mark_retry(tired, f.now_ms(), "timeout after 10000 ms").ok());
  }
  f.start_drainer();
  REQUIRE(f.gateway.sent.size() == 1);
  const std::int64_t limited_at = f.now_ms();
  f.gateway.answer_oldest(retry_later(429, std::chrono::seconds(1)));
  f.vt.run_ready();

  f.add_session("s2");
  const std::int64_t early = f.enqueue("s2", "preauth", 5000);
  f.vt.advance(Millis{999});
  std::vector<PaymentOutcome> told;
  f.drainer->send_now(early, Millis{1500}, [&](const PaymentOutcome& outcome) { told.push_back(outcome); });
  f.vt.run_ready();
  REQUIRE(told.size() == 1);
  CHECK(told[0].kind == PaymentOutcomeKind::retry_later);  // still paused, 1 ms to go
  CHECK(f.gateway.sent.size() == 1);

  f.vt.advance(Millis{1});  // the pause is over: the queue sends what waited, and an entry hold goes at once
  REQUIRE(f.gateway.sent.size() == 2);
  CHECK(f.gateway.sent[1].idempotency_key == "s2:preauth");
  f.add_session("s3");
  const std::int64_t hold = f.enqueue("s3", "preauth", 5000);
  f.drainer->send_now(hold, Millis{1500}, [&](const PaymentOutcome& outcome) { told.push_back(outcome); });
  REQUIRE(f.gateway.sent.size() == 3);
  CHECK(f.gateway.sent[2].idempotency_key == "s3:preauth");
  // The limited operation itself keeps the backoff of its ten attempts (at least retry_max_ms).
  CHECK(f.op(tired).state == PaymentOpState::pending);
  CHECK(f.op(tired).next_attempt_at_ms >= limited_at + 300000);
}

TEST_CASE("429s in a row pause longer each time up to retry_max_ms, any other answer starts again from retry_initial_ms") {
  SettlementFixture f;
  auto settings = SettlementFixture::drainer_settings(1);  // one request at a time: each 429 is a new one's
  settings.retry = controller::RetryPolicy{Millis{1000}, Millis{4000}};
  for (int i = 1; i <= 8; ++i) {
    const std::string id = "s" + std::to_string(i);
    f.add_session(id);
    f.enqueue(id, "charge", 100 * i);
  }
  f.start_drainer(settings);
  REQUIRE(f.gateway.calls.size() == 1);
  const auto pause = [&] { return pause_told(f); };
  const auto answer_429 = [&](std::optional<std::chrono::milliseconds> retry_after) {
    REQUIRE(f.gateway.calls.size() == 1);
    f.gateway.answer_oldest(retry_later(429, retry_after));
    f.vt.run_ready();
  };
  CHECK(pause() == 0);
  answer_429(std::nullopt);
  CHECK(pause() == 1000);
  f.vt.advance(Millis{1000});  // the next request goes out after the pause
  answer_429(std::nullopt);
  CHECK(pause() == 2000);
  f.vt.advance(Millis{2000});
  answer_429(std::chrono::seconds(1));  // a shorter Retry-After does not end the run
  CHECK(pause() == 4000);
  f.vt.advance(Millis{4000});
  answer_429(std::nullopt);
  CHECK(pause() == 4000);  // never past retry_max_ms
  f.vt.advance(Millis{4000});
  REQUIRE(f.gateway.calls.size() == 1);
  f.gateway.approve_oldest();  // another answer, to a request sent after the pause: the next 429 starts again
  f.vt.run_ready();
  CHECK(pause() == 0);
  answer_429(std::nullopt);
  CHECK(pause() == 1000);
  f.vt.advance(Millis{1000});
  answer_429(std::chrono::hours(1));  // a proxy's hour: retry_max_ms
  CHECK(pause() == 4000);
}

TEST_CASE("a burst of 429s to requests sent together pauses once, and answers sent before it do not end the run") {
  SettlementFixture f;
  auto settings = SettlementFixture::drainer_settings(8);
  settings.retry = controller::RetryPolicy{Millis{1000}, Millis{300000}};
  for (int i = 1; i <= 9; ++i) {
    const std::string id = "s" + std::to_string(i);
    f.add_session(id);
    f.enqueue(id, "charge", 100 * i);
  }
  f.start_drainer(settings);
  REQUIRE(f.gateway.calls.size() == 8);
  const auto pause = [&] { return pause_told(f); };
  const auto limited = [](std::optional<std::chrono::milliseconds> retry_after) { return retry_later(429, retry_after); };
  // Six of the eight sent together answer 429: one pause of retry_initial_ms, not 1, 2, 4 ... 32 s.
  for (int i = 0; i < 6; ++i) f.gateway.answer_oldest(limited(std::nullopt));
  f.vt.run_ready();
  CHECK(pause() == 1000);
  // One of the burst asks for longer: it lengthens the pause, it does not double it.
  f.gateway.answer_oldest(limited(std::chrono::seconds(3)));
  f.vt.run_ready();
  CHECK(pause() == 3000);
  // A 200 to a request sent before the pause says nothing of the limit now: the run goes on.
  f.gateway.approve_oldest();
  f.vt.run_ready();
  f.vt.advance(Millis{3000});
  REQUIRE_FALSE(f.gateway.calls.empty());  // sending again after the pause
  f.gateway.answer_oldest(limited(std::nullopt));
  f.vt.run_ready();
  CHECK(pause() == 2000);
}

TEST_CASE("a late 429 of a burst lengthening the pause does not stop an answer sent after it from ending the run") {
  SettlementFixture f;
  auto settings = SettlementFixture::drainer_settings(3);
  settings.retry = controller::RetryPolicy{Millis{1000}, Millis{300000}};
  for (int i = 1; i <= 3; ++i) {
    const std::string id = "s" + std::to_string(i);
    f.add_session(id);
    f.enqueue(id, "charge", 100 * i);
  }
  f.start_drainer(settings);
  REQUIRE(f.gateway.calls.size() == 3);  // s1, s2, s3 sent together
  const auto pause = [&] { return pause_told(f); };
  f.gateway.answer_oldest(retry_later(429, std::nullopt));  // s1: a pause of 1 s
  f.vt.run_ready();
  REQUIRE(pause() == 1000);
  f.vt.advance(Millis{1600});           // the pause, and s1's own backoff (1 s and up to half again)
  REQUIRE(f.gateway.calls.size() == 3);  // s1 sent again after the pause
  REQUIRE(f.gateway.calls.back().request.idempotency_key == "s1:charge");
  // s2's 429 (sent before the pause) comes late and asks for 2 s: the same burst, longer.
  f.gateway.answer_oldest(retry_later(429, std::chrono::seconds(2)));
  f.vt.run_ready();
  REQUIRE(pause() == 2000);
  f.gateway.approve_oldest();  // s3, sent before the pause: says nothing of the limit now
  f.gateway.approve_oldest();  // s1, sent after the first pause: the run of 429s is over
  f.vt.run_ready();
  f.vt.advance(Millis{2100});
  REQUIRE(f.gateway.calls.size() == 1);  // s2 sent again
  f.gateway.answer_oldest(retry_later(429, std::nullopt));
  f.vt.run_ready();
  CHECK(pause() == 1000);  // a first 429 again, not the second in a row
}

TEST_CASE("an operation chained after another waits until that one is final") {
  SettlementFixture f;
  f.add_session("s1");
  // A chain as the planner made one before the void followed the charge's success (such rows
  // remain in databases of that time): the void waits for the charge.
  auto plan = controller::plan_settlement("s1", final_cart("s1", 9000), controller::PlacedHold{5000, "USD", "pi_hold"});
  db::NewPaymentOp void_hold;
  void_hold.session_id = "s1";
  void_hold.op = "void";
  void_hold.currency = "USD";
  void_hold.intent_id = "pi_hold";
  plan.ops.push_back(void_hold);
  auto ids = f.store.settle(plan.decision, plan.ops, f.now_ms());
  REQUIRE(ids.ok());
  REQUIRE(ids->size() == 2);
  f.start_drainer();
  REQUIRE(f.gateway.sent.size() == 1);
  CHECK(f.gateway.sent[0].op == passgate::PaymentOpKind::charge);

  // The charge's outcome is unknown for a while: the void keeps waiting.
  f.gateway.answer_oldest(FakeGateway::outcome(PaymentOutcomeKind::unknown, 0, "connection reset"));
  f.vt.run_ready();
  f.vt.advance(Millis{f.op(ids->at(0)).next_attempt_at_ms - f.now_ms()});
  REQUIRE(f.gateway.sent.size() == 2);
  CHECK(f.gateway.sent[1].op == passgate::PaymentOpKind::charge);
  f.vt.advance(std::chrono::minutes(10));
  CHECK(f.gateway.sent.size() == 2);
  CHECK(f.op(ids->at(1)).state == PaymentOpState::pending);

  f.gateway.approve_oldest();
  f.vt.run_ready();
  REQUIRE(f.gateway.sent.size() == 3);
  CHECK(f.gateway.sent[2].op == passgate::PaymentOpKind::void_hold);
  CHECK(f.gateway.sent[2].intent_id == "pi_hold");
  CHECK(f.gateway.sent[2].idempotency_key == "s1:void");
}
