// Restarts at every step of an attempt: the runner is destroyed after any number of loop
// turns (answers under way lost), the database reopened and a new runner started. Whatever
// was under way ends admitted (if it was recorded so) or voided, never admitted afterwards.
#include <catch2/catch.hpp>

#include "tests/card_entry/card_entry_fixture.hpp"

using namespace passgate;
using namespace passgate::test;

namespace {

// Runs the loop one due call at a time, at most `turns` of them (time moves to each).
void run_turns(CardEntryFixture& f, int turns) {
  for (int i = 0; i < turns && f.vt.run_next(Millis{5000}); ++i) {
  }
}

}  // namespace

TEST_CASE("card entry: a crash after any loop turn of arming, tap, confirm or admission leaves nothing held unadmitted") {
  const bool decline = GENERATE(false, true);
  for (int crash_at = 0; crash_at < 40; ++crash_at) {
    CAPTURE(decline, crash_at);
    CardEntryFixture f;
    f.start();
    f.run();
    REQUIRE(f.terminal.tap(decline ? card("fp_declined", "card_declined") : FakeCard{}));
    run_turns(f, crash_at);
    const auto told = f.decisions;
    f.decisions.clear();
    f.restart();
    f.run(Millis{60000});
    // What the lane was told before the crash stands: an admission told is recorded.
    for (const auto& d : told) {
      if (d.admitted) CHECK(f.record(d.session_id).state == db::CardAttemptState::admitted);
    }
    CHECK(f.decisions.empty());  // nobody is told anything about an attempt a restart resolved
    CHECK(f.runner->status().phase == "armed");
    f.check_at_rest();
    for (const auto& [sid, n] : f.terminal.holds_of_session) CHECK(n == 1);
  }
}

TEST_CASE("card entry: a crash while a restart resolves is resolved again by the next start") {
  CardEntryFixture f;
  f.start();
  f.run();
  const std::string sid = f.runner->session_id();
  REQUIRE(f.terminal.tap(FakeCard{}));
  run_turns(f, 2);  // tapped, the confirm under way
  f.restart();
  run_turns(f, 1);
  f.restart();
  f.run(Millis{60000});
  CHECK(f.record(sid).state == db::CardAttemptState::voided);
  CHECK(f.terminal.intent_of(sid)->status == "canceled");
  CHECK(f.admitted_count() == 0);
  f.check_at_rest();
}
