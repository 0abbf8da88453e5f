// PaymentDrainer across a stop and a reload: stopping records every operation in flight as
// pending again (resent with its same key by the next start) and sends nothing more; a
// reload's new settings apply at once (a higher max_in_flight sends what it now allows).
#include <catch2/catch.hpp>

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
