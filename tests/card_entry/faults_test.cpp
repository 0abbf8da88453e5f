// Faults around the attempt: the API down, 429s, slow answers, lost answers while arming, a
// stale armed attempt re-armed, and the polls that follow the lane's presence.
#include <catch2/catch.hpp>

#include "tests/card_entry/card_entry_fixture.hpp"

using namespace passgate;
using namespace passgate::test;

TEST_CASE("card entry: the API down turns card entry off, every POST is resent under its own key, and it comes back") {
  CardEntryFixture f;
  f.terminal.api_down = true;
  f.start();
  f.run(Millis{20000});
  CHECK_FALSE(f.runner->status().enabled);
  CHECK(f.runner->status().reason == "terminal_unreachable");
  const std::string sid = f.runner->session_id();
  CHECK(f.terminal.posts_of(TerminalStep::create_customer) > 1);  // resent...
  for (const auto& p : f.terminal.posts) CHECK(p.key == sid + ":customer");  // ...always under its key
  f.terminal.api_down = false;
  f.run(Millis{60000});
  CHECK(f.runner->status().enabled);
  CHECK(f.runner->session_id() == sid);
  CHECK(f.runner->status().phase == "armed");
  f.check_at_rest();
}

TEST_CASE("card entry: 429s and lost answers while arming are resent under the same key, one customer and one hold") {
  CardEntryFixture f;
  f.terminal.retry_later_next = 2;
  f.terminal.drop_next_post = true;
  f.start();
  f.run(Millis{10000});
  const std::string sid = f.runner->session_id();
  CHECK(f.runner->status().phase == "armed");
  CHECK(f.terminal.holds_of_session[sid] == 1);
  CHECK(f.checked_posts == static_cast<int>(f.terminal.posts.size()));
  REQUIRE(f.terminal.tap(FakeCard{}));
  f.run();
  CHECK(f.admitted_count() == 1);
}

TEST_CASE("card entry: slow answers within auth_timeout still admit") {
  CardEntryFixture f;
  f.terminal.delay = Millis{4000};
  f.start();
  f.run(Millis{30000});
  REQUIRE(f.runner->status().phase == "armed");
  REQUIRE(f.terminal.tap(FakeCard{}));
  f.run(Millis{25000});
  CHECK(f.admitted_count() == 1);
  f.check_at_rest();
}

TEST_CASE("card entry: an idle armed attempt is voided and the lane re-armed before it goes stale, not while someone stands there") {
  CardEntryFixture f;
  f.start();
  f.run();
  const std::string first = f.runner->session_id();
  f.runner->set_presence(true);
  f.run(f.settings.rearm_interval + Millis{5000});
  CHECK(f.runner->session_id() == first);
  f.runner->set_presence(false);
  f.run(Millis{10000});
  CHECK(f.runner->session_id() != first);
  CHECK(f.record(first).state == db::CardAttemptState::voided);
  CHECK(f.record(first).reason == "rearm");
  CHECK_FALSE(f.record(first).shopper_denied);
  CHECK(f.terminal.intent_of(first)->status == "canceled");
  CHECK(f.terminal.posts_of(TerminalStep::cancel_action, first) == 1);
  CHECK(f.decisions.empty());
  f.check_at_rest();
}

TEST_CASE("card entry: the reader is polled every poll_fast while someone stands in the lane, every poll_slow otherwise") {
  CardEntryFixture f;
  f.start();
  f.run();
  int before = f.terminal.reads_of_reader;
  f.run(Millis{20000});
  const int slow = f.terminal.reads_of_reader - before;
  CHECK(slow >= 9);
  CHECK(slow <= 11);
  f.runner->set_presence(true);
  before = f.terminal.reads_of_reader;
  f.run(Millis{20000});
  const int fast = f.terminal.reads_of_reader - before;
  CHECK(fast >= 70);
  CHECK(fast <= 81);
}
