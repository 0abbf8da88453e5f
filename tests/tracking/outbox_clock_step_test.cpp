// The outbox and a wall clock that steps (a board without a clock battery, an NTP
// correction): retries wait on the monotonic clock, so once the engine is back a message is
// delivered within the longest backoff (1.5 x cap) whatever the wall clock did; after a
// restart a stored retry time is never waited for longer than the cap; and a kick while the
// sender waits after the engine was unreachable tries again within `first`.
#include <catch2/catch.hpp>

#include "common/time_format.hpp"
#include "tests/admission/admission_fixture.hpp"

using namespace std::chrono_literals;
using passgate::db::OutboxMessage;
using passgate::test::AdmissionFixture;

namespace {

// The fixture's sender runs with the default RetryPolicy.
constexpr auto kFirstBackoff = 500ms;
constexpr auto kBackoffCap = 30s;
constexpr auto kLongestBackoff = 45s;  // the cap plus its largest jitter

std::int64_t queue_report_now(AdmissionFixture& f, const std::string& body) {
  auto id = f.outbox->enqueue(OutboxMessage{"passage", "/v1/passages", body, ""}, passgate::unix_millis(f.vt.wall_now()));
  REQUIRE(id.ok());
  return id.value();
}

// The engine does not answer `failures` attempts at the front message; the sender is left
// waiting out the backoff after the last one.
void engine_unreachable_for(AdmissionFixture& f, int failures) {
  f.sender->kick();
  for (int i = 0; i < failures; ++i) {
    REQUIRE(f.tracking.calls.size() == 1);
    f.tracking.reply(0);
    if (i + 1 < failures) f.vt.advance(kLongestBackoff);
  }
  f.vt.run_ready();
  REQUIRE(f.tracking.calls.empty());
}

}  // namespace

TEST_CASE("a wall clock step while the outbox waits for a retry neither stalls it nor decides when it resumes") {
  AdmissionFixture f;
  enum class Step { ran_ahead_then_corrected, back, forward };
  const Step step = GENERATE(Step::ran_ahead_then_corrected, Step::back, Step::forward);
  // The reproduction: the clock ran an hour ahead while the engine was unreachable.
  if (step == Step::ran_ahead_then_corrected) f.vt.set_wall(f.vt.wall_now() + 1h);
  (void)queue_report_now(f, "first");
  (void)queue_report_now(f, "second");
  engine_unreachable_for(f, 4);
  switch (step) {
    case Step::ran_ahead_then_corrected:
    case Step::back: f.vt.set_wall(f.vt.wall_now() - 1h); break;
    case Step::forward: f.vt.set_wall(f.vt.wall_now() + 1h); break;
  }
  // The engine is back now; no kick: the backoff alone brings the next attempt.
  f.vt.advance(kLongestBackoff);
  f.deliver("first");
  f.deliver("second");
  CHECK(f.outbox_size() == 0);
}

TEST_CASE("after a restart, a stored retry time far ahead is waited for no longer than the backoff after its failures") {
  AdmissionFixture f;
  const std::int64_t id = queue_report_now(f, "kept");
  engine_unreachable_for(f, 1);
  const bool clock_stepped_back = GENERATE(true, false);
  if (clock_stepped_back) {
    f.vt.set_wall(f.vt.wall_now() - 1h);  // the stored retry time is now an hour ahead
  } else {
    // Whatever put it there, a time ten hours ahead is not waited for either.
    REQUIRE(f.outbox->record_failure(id, passgate::unix_millis(f.vt.wall_now() + 10h), "connection refused").ok());
  }
  f.restart();  // a new sender on the same database
  f.sender->kick();  // as passgated does at start
  f.vt.advance(1500ms);  // the longest backoff after two failures (record_failure above counts one)
  f.deliver("kept");
  CHECK(f.outbox_size() == 0);
}

TEST_CASE("after a restart, a stored retry time a few seconds ahead is still waited for") {
  AdmissionFixture f;
  (void)queue_report_now(f, "kept");
  engine_unreachable_for(f, 1);  // due again 500 to 750 ms later
  f.restart();
  f.sender->kick();
  CHECK(f.tracking.calls.empty());
  f.vt.advance(750ms);
  CHECK(f.tracking.calls.size() == 1);
}

TEST_CASE("a kick while the outbox waits after the engine was unreachable tries again within the first backoff") {
  AdmissionFixture f;
  (void)queue_report_now(f, "first");
  engine_unreachable_for(f, 5);  // the wait is now 8 s or more
  f.vt.advance(1s);
  // The engine is back and the gate is in use: the next passage is queued.
  (void)queue_report_now(f, "second");
  f.sender->kick();
  f.vt.advance(kFirstBackoff);
  f.deliver("first");
  REQUIRE(f.tracking.calls.size() == 1);
  CHECK(f.tracking.calls.front().body == "second");
}

TEST_CASE("a burst of kicks makes at most one early attempt per backoff while the engine is unreachable") {
  AdmissionFixture f;
  (void)queue_report_now(f, "first");
  engine_unreachable_for(f, 5);
  for (int i = 0; i < 3; ++i) f.sender->kick();
  f.vt.advance(kFirstBackoff - 1ms);
  CHECK(f.tracking.calls.empty());
  f.sender->kick();
  f.vt.advance(1ms);
  REQUIRE(f.tracking.calls.size() == 1);
  f.sender->kick();  // an attempt is in flight: nothing more
  f.vt.run_ready();
  CHECK(f.tracking.sent.size() == 6);
  f.tracking.reply(0);  // the early attempt failed too: kicks wait for the backoff now
  f.vt.run_ready();
  f.sender->kick();
  f.vt.advance(kFirstBackoff);
  CHECK(f.tracking.calls.empty());
  f.vt.advance(kLongestBackoff);
  CHECK(f.tracking.calls.size() == 1);
}

TEST_CASE("a gate kicking with every passage through a long outage adds at most one attempt per backoff") {
  AdmissionFixture f;
  (void)queue_report_now(f, "first");
  f.sender->kick();
  int attempts = 0;
  for (int tick = 0; tick < 6000; ++tick) {  // 10 minutes, a kick every 100 ms
    while (!f.tracking.calls.empty()) {
      ++attempts;
      f.tracking.reply(503, "overloaded");
      f.vt.run_ready();
    }
    f.sender->kick();
    f.vt.advance(100ms);
  }
  // The backoff alone: about 20 attempts in 10 minutes once at its cap; kicks at most double it.
  CHECK(attempts <= 2 * (600s / kBackoffCap) + 12);
  CHECK(attempts >= 600s / kLongestBackoff);
}

TEST_CASE("a kick does not cut short the wait after an answer outside the contract") {
  AdmissionFixture f;
  (void)queue_report_now(f, "first");
  f.sender->kick();
  REQUIRE(f.tracking.calls.size() == 1);
  f.tracking.reply(400, R"({"error":"bad_request"})");
  f.vt.run_ready();
  f.sender->kick();
  f.vt.advance(kFirstBackoff - 1ms);  // the backoff after one failure is 500 to 750 ms
  CHECK(f.tracking.calls.empty());
  (void)queue_report_now(f, "second");
  f.sender->kick();
  f.vt.advance(251ms);
  CHECK(f.tracking.calls.size() == 1);
}
