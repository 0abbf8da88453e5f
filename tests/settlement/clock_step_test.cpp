// The payment drainer and a wall clock that steps: after a backwards step (an NTP correction,
// a board without a clock battery), an operation whose first attempt the clock can no longer
// date is looked up at the gateway before it is resent, even when the clock says it is young,
// also after a restart; retries scheduled while the clock ran ahead come due again soon.
#include <catch2/catch.hpp>

#include "tests/settlement/gateway_outcomes.hpp"
#include "tests/settlement/settlement_fixture.hpp"

using namespace passgate;
using namespace passgate::test;
using namespace std::chrono_literals;
using passgate::PaymentOutcomeKind;
using db::PaymentOpState;

namespace {

controller::DrainerSettings slow_retries() {
  auto settings = SettlementFixture::drainer_settings();
  settings.retry = controller::RetryPolicy{2h, 4h};
  return settings;
}


// Charge of s1 sent once, its outcome unknown: the drainer resends it after a 2 h backoff.
std::int64_t charge_with_unknown_outcome(SettlementFixture& f) {
  f.add_session("s1");
  const std::int64_t id = f.enqueue("s1", "charge", 1234);
  f.start_drainer(slow_retries());
  REQUIRE(f.gateway.sent.size() == 1);
  f.gateway.answer_oldest(FakeGateway::outcome(PaymentOutcomeKind::unknown, 0));
  f.vt.run_ready();
  REQUIRE(f.op(id).state == PaymentOpState::pending);
  return id;
}

}  // namespace

TEST_CASE("after the wall clock steps back, an operation it can no longer date is looked up before a resend") {
  SettlementFixture f;
  const std::int64_t id = charge_with_unknown_outcome(f);
  f.vt.advance(1500ms);
  // Stepped back 3 hours: by the clock the first attempt is now younger than it really is,
  // so its age no longer shows whether the gateway still has its key.
  f.vt.set_wall(f.vt.wall_now() - 3h);
  const bool restart = GENERATE(false, true);
  if (restart) f.start_drainer(slow_retries());  // the mark was kept in the database
  f.vt.advance(6h);
  REQUIRE(f.gateway.searches.size() == 1);
  CHECK(f.gateway.sent.size() == 1);  // nothing resent before the lookup
  f.gateway.answer_oldest(search_result({found_intent("pi_paid", "s1", "charge", "succeeded")}));
  f.vt.run_ready();
  CHECK(f.gateway.sent.size() == 1);  // adopted, not charged again
  CHECK(f.op(id).state == PaymentOpState::succeeded);
}

TEST_CASE("without a step, a young operation is resent at once with its key, no lookup") {
  SettlementFixture f;
  (void)charge_with_unknown_outcome(f);
  f.vt.advance(3h + 1s);  // the backoff: 2 h plus up to half of it
  CHECK(f.gateway.searches.empty());
  CHECK(f.gateway.sent.size() == 2);
}

TEST_CASE("retries scheduled while the clock ran a day ahead come due soon after it is corrected") {
  SettlementFixture f;
  f.vt.set_wall(f.vt.wall_now() + 24h);  // wrong: a day ahead
  auto settings = SettlementFixture::drainer_settings();
  settings.retry = controller::RetryPolicy{1000ms, 60000ms};
  f.add_session("s1");
  const std::int64_t id = f.enqueue("s1", "charge", 1234);
  f.start_drainer(settings);
  f.gateway.answer_oldest(FakeGateway::outcome(PaymentOutcomeKind::unknown, 0));
  f.vt.run_ready();
  const std::int64_t due_ahead = f.op(id).next_attempt_at_ms;
  f.vt.set_wall(f.vt.wall_now() - 24h);  // NTP corrects it
  f.vt.advance(91s);                     // at most 1.5 x the backoff cap
  CHECK(f.op(id).next_attempt_at_ms < due_ahead);
  CHECK(f.gateway.sent.size() + f.gateway.searches.size() == 2);  // sent again (after a lookup)
}
