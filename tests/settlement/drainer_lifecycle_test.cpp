// PaymentDrainer across a stop and a reload: stopping records every operation in flight as
// pending again (resent with its same key by the next start) and sends nothing more, not even
// an entry hold or the send after a lookup answered late; an outcome from before the stop does
// not cost a slot after the next start, nor free one more than its operation held; a reload's new settings apply at once (a higher
// max_in_flight sends what it now allows).
#include <catch2/catch.hpp>

#include <utility>
#include <vector>

#include "tests/settlement/gateway_outcomes.hpp"
#include "tests/settlement/settlement_fixture.hpp"

using namespace passgate;
using namespace passgate::test;
using db::PaymentOpState;

TEST_CASE("stopping records the operations in flight as pending, resent with the same key at the next start") {
  SettlementFixture f;
  f.add_session("s1");
  f.add_session("s2");
  const std::int64_t first = f.enqueue("s1", "charge", 100);
  const std::int64_t second = f.enqueue("s2", "charge", 200);
  f.start_drainer();
  REQUIRE(f.gateway.sent.size() == 2);
  REQUIRE(f.op(first).state == PaymentOpState::in_flight);

  const auto stopped = f.drainer->stop();
  REQUIRE(stopped.ok());
  CHECK(*stopped == 2);
  CHECK(f.drainer->in_flight() == 0);
  CHECK(f.op(first).state == PaymentOpState::pending);
  CHECK(f.op(second).state == PaymentOpState::pending);

  // Stopped: nothing more is sent, whatever asks it to.
  f.drainer->kick();
  f.vt.run_ready();
  f.vt.advance(std::chrono::minutes(5));
  CHECK(f.gateway.sent.size() == 2);

  // The next start sends both again with their keys.
  f.start_drainer();
  REQUIRE(f.gateway.sent.size() == 4);
  CHECK(f.gateway.sent[2].idempotency_key == "s1:charge");
  CHECK(f.gateway.sent[3].idempotency_key == "s2:charge");
}

TEST_CASE("a pump posted before stop() sends nothing when it runs after it (found by the queue benchmark)") {
  SettlementFixture f;
  f.add_session("s1");
  f.add_session("s2");
  f.enqueue("s1", "charge", 100);
  f.start_drainer();
  REQUIRE(f.gateway.sent.size() == 1);
  f.gateway.approve_oldest();
  f.vt.run_ready();
  f.drainer->kick();                // posts a pump (as an answer or a new operation does)...
  REQUIRE(f.drainer->stop().ok());  // ...still waiting when the drainer stops
  f.enqueue("s2", "charge", 200);
  f.vt.run_ready();
  f.vt.advance(std::chrono::minutes(5));
  CHECK(f.gateway.sent.size() == 1);
}

TEST_CASE("a stopped drainer sends no entry hold: it finishes as unknown, the hold left pending") {
  SettlementFixture f;
  f.start_drainer();
  REQUIRE(f.drainer->stop().ok());
  f.add_session("s1");
  const std::int64_t id = f.enqueue("s1", "preauth", 5000);
  std::vector<PaymentOutcome> told;
  f.drainer->send_now(id, Millis{1500}, [&](const PaymentOutcome& outcome) { told.push_back(outcome); });
  CHECK(told.empty());  // never inside the call
  f.vt.run_ready();
  REQUIRE(told.size() == 1);
  CHECK(told[0].kind == PaymentOutcomeKind::unknown);
  CHECK(f.gateway.sent.empty());
  CHECK(f.op(id).state == PaymentOpState::pending);
  CHECK(f.op(id).attempts == 0);
}

TEST_CASE("a lookup answered after stop() is not followed by a send") {
  SettlementFixture f;
  f.add_session("s1");
  const std::int64_t id = f.enqueue("s1", "charge", 1234);
  REQUIRE(f.queue.mark_in_flight(id, f.now_ms()).ok());
  REQUIRE(f.queue.mark_retry(id, f.now_ms() + 1000, "timeout after 10000 ms").ok());
  f.vt.advance(std::chrono::hours(24));  // the gateway may have forgotten the key: looked up first
  f.start_drainer();
  REQUIRE(f.gateway.searches.size() == 1);
  REQUIRE(f.drainer->stop().ok());
  f.gateway.answer_oldest(search_result({}));  // nothing found: the send would follow
  f.vt.run_ready();
  f.vt.advance(std::chrono::minutes(5));
  CHECK(f.gateway.sent.empty());
  CHECK(f.op(id).state == PaymentOpState::pending);  // sent (or looked up again) by the next start
}

TEST_CASE("an outcome from before a stop, recorded with a new claim of its operation, does not free that claim's slot") {
  SettlementFixture f;
  f.add_session("s1");
  const std::int64_t x = f.enqueue("s1", "charge", 100);
  f.start_drainer(SettlementFixture::drainer_settings(1));
  REQUIRE(f.gateway.sent.size() == 1);  // x, first send
  f.vt.advance(Millis{10});
  f.add_session("s2");
  (void)f.enqueue("s2", "charge", 200);  // due before x once x is pending again
  f.vt.advance(Millis{10});
  REQUIRE(f.drainer->stop().ok());  // x pending again, due now
  REQUIRE(f.drainer->start().ok());
  REQUIRE(f.gateway.sent.size() == 2);
  REQUIRE(f.gateway.sent[1].idempotency_key == "s2:charge");

  // x's first answer (its operation is pending: not recorded) and s2's, in one pass: the
  // batch that records them claims x again.
  f.gateway.approve_oldest();
  f.gateway.approve_oldest();
  f.vt.run_ready();
  REQUIRE(f.gateway.sent.size() == 3);
  CHECK(f.gateway.sent[2].idempotency_key == "s1:charge");
  CHECK(f.op(x).state == PaymentOpState::in_flight);
  CHECK(f.drainer->in_flight() == 1);

  f.add_session("s3");
  (void)f.enqueue("s3", "charge", 300);
  f.drainer->kick();
  f.vt.run_ready();
  CHECK(f.gateway.sent.size() == 3);  // max_in_flight 1: s3 waits for x
}

TEST_CASE("two outcomes of one operation recorded together free one slot, not two") {
  SettlementFixture f;
  for (int i = 1; i <= 4; ++i) {
    const std::string id = "s" + std::to_string(i);
    f.add_session(id);
    f.enqueue(id, "charge", 100 * i);
  }
  f.start_drainer(SettlementFixture::drainer_settings(2));
  REQUIRE(f.gateway.sent.size() == 2);  // s1 and s2, first sends
  REQUIRE(f.drainer->stop().ok());      // both pending again, their requests still out
  REQUIRE(f.drainer->start().ok());
  REQUIRE(f.gateway.sent.size() == 4);  // s1 and s2 again, same keys
  // s1's first answer and its second, in one pass (the first is recorded, the second is not:
  // s1 is final by then): one slot is freed, taken by s3; s4 waits.
  std::swap(f.gateway.calls[1], f.gateway.calls[2]);  // s1's two requests are the oldest
  f.gateway.approve_oldest();
  f.gateway.approve_oldest();
  f.vt.run_ready();
  CHECK(f.drainer->in_flight() == 2);  // s2 (second send) and s3
  REQUIRE(f.gateway.sent.size() == 5);
  CHECK(f.gateway.sent[4].idempotency_key == "s3:charge");
  CHECK(f.ops_of("s4").at(0).state == PaymentOpState::pending);
}

TEST_CASE("a reload's higher max_in_flight sends at once what it allows") {
  SettlementFixture f;
  for (int i = 0; i < 5; ++i) {
    const std::string id = "s" + std::to_string(i);
    f.add_session(id);
    f.enqueue(id, "charge", 100 + i);
  }
  f.start_drainer(SettlementFixture::drainer_settings(1));
  REQUIRE(f.gateway.sent.size() == 1);
  f.drainer->reconfigure(SettlementFixture::drainer_settings(3));
  f.vt.run_ready();
  CHECK(f.gateway.sent.size() == 3);
  CHECK(f.drainer->in_flight() == 3);
}
