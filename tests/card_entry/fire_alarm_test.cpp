// Card entry paused for the fire alarm (CardEntryRunner::pause/resume): an armed attempt is
// abandoned (the reader's collect cancelled, its PaymentIntent voided) so no tap is taken, a
// tap being confirmed ends voided and denied lane_unavailable, never admitted, nothing arms
// while paused, and card entry arms again once resumed.
#include <catch2/catch.hpp>

#include "tests/card_entry/card_entry_fixture.hpp"

using namespace passgate;
using namespace passgate::test;

namespace {

void expect_paused(const CardEntryFixture& f) {
  CHECK_FALSE(f.runner->status().enabled);
  CHECK(f.runner->status().reason == "fire_alarm");
  CHECK(f.runner->session_id().empty());  // no attempt armed
}

}  // namespace

TEST_CASE("card entry: a fire alarm while armed cancels the reader's collect, voids its PaymentIntent, takes no tap") {
  CardEntryFixture f;
  const std::string sid = f.start_armed();
  std::vector<controller::CardEntryStatus> told;
  f.runner->on_status_changed([&](const controller::CardEntryStatus& s) { told.push_back(s); });

  f.runner->pause("fire_alarm");
  REQUIRE(told.size() == 1);  // off at once, before any answer
  CHECK_FALSE(told[0].enabled);
  CHECK(told[0].reason == "fire_alarm");
  f.run(Millis{60000});

  expect_paused(f);
  CHECK(f.terminal.posts_of(TerminalStep::cancel_action, sid) == 1);
  CHECK(f.terminal.intent_of(sid)->status == "canceled");
  const auto r = f.record(sid);
  CHECK(r.state == db::CardAttemptState::voided);
  CHECK(r.reason == "fire_alarm");
  CHECK_FALSE(r.shopper_denied);
  CHECK_FALSE(f.terminal.tap(FakeCard{}));  // the reader collects nothing
  CHECK(f.terminal.posts_of(TerminalStep::create_customer) == 1);  // nothing armed again
  CHECK(f.decisions.empty());
  CHECK(told.size() == 1);  // the void's answers do not turn it on
  f.check_at_rest();
}

TEST_CASE("card entry: a fire alarm during a confirm ends the attempt voided and denied lane_unavailable, never admitted") {
  CardEntryFixture f;
  f.terminal.confirm_stays_processing = true;
  const std::string sid = f.start_armed();
  REQUIRE(f.terminal.tap(FakeCard{}));
  f.run();
  REQUIRE(f.runner->status().phase == "confirming");
  REQUIRE(f.terminal.intent_of(sid)->status == "processing");

  f.runner->pause("fire_alarm");
  f.run();
  // The authorization finishes after the alarm: the hold it places is voided, not admitted.
  f.terminal.finish_processing();
  f.run(Millis{60000});

  REQUIRE(f.decisions.size() == 1);
  CHECK_FALSE(f.decisions[0].admitted);
  CHECK(f.decisions[0].session_id == sid);
  CHECK(f.decisions[0].reason == CardDenial::lane_unavailable);
  const auto r = f.record(sid);
  CHECK(r.state == db::CardAttemptState::voided);
  CHECK(r.shopper_denied);
  CHECK(r.reason == "lane_unavailable");
  CHECK(f.terminal.intent_of(sid)->status == "canceled");
  db::SessionStore sessions(*f.t.db);
  auto s = sessions.find(sid);
  REQUIRE(s.ok());
  CHECK_FALSE(s->has_value());  // no session, so no hold left for settlement to void
  expect_paused(f);
  f.check_at_rest();
}

TEST_CASE("card entry: a confirm answered after the fire alarm is never admitted; the hold it placed is voided") {
  CardEntryFixture f;
  const std::string sid = f.start_armed();
  f.terminal.delay = Millis{1000};
  REQUIRE(f.terminal.tap(FakeCard{}));
  // The next poll sees the tap and confirms; the confirm's answer is then a second away.
  for (int i = 0; i < 200 && f.terminal.posts_of(TerminalStep::confirm, sid) == 0; ++i) f.run(Millis{50});
  REQUIRE(f.terminal.posts_of(TerminalStep::confirm, sid) == 1);
  REQUIRE(f.runner->status().phase == "confirming");
  REQUIRE(f.terminal.intent_of(sid)->status == "requires_capture");  // held, not yet read

  f.runner->pause("fire_alarm");
  f.run(Millis{60000});

  REQUIRE(f.decisions.size() == 1);
  CHECK(f.decisions[0].reason == CardDenial::lane_unavailable);
  CHECK(f.admitted_count() == 0);
  CHECK(f.record(sid).state == db::CardAttemptState::voided);
  CHECK(f.terminal.intent_of(sid)->status == "canceled");
  expect_paused(f);
  f.check_at_rest();
}

TEST_CASE("card entry: paused from the start it arms nothing; once the alarm clears it arms and a tap admits") {
  CardEntryFixture f;
  f.make_runner();
  f.runner->pause("fire_alarm");  // the alarm counts as active until the loop reads clear
  f.runner->start();
  f.run(Millis{30000});
  CHECK(f.terminal.posts.empty());
  CHECK_FALSE(f.runner->status().enabled);
  CHECK(f.runner->status().reason == "fire_alarm");

  std::vector<controller::CardEntryStatus> told;
  f.runner->on_status_changed([&](const controller::CardEntryStatus& s) { told.push_back(s); });
  f.runner->resume();
  f.run();
  CHECK(f.runner->status().enabled);
  CHECK(f.runner->status().phase == "armed");
  REQUIRE_FALSE(told.empty());
  CHECK(told.back().enabled);
  const std::string sid = f.runner->session_id();
  REQUIRE(f.terminal.tap(FakeCard{}));
  f.run();
  REQUIRE(f.decisions.size() == 1);
  CHECK(f.decisions[0].admitted);
  CHECK(f.decisions[0].session_id == sid);
  f.check_at_rest();
}

TEST_CASE("card entry: an alarm raised and cleared while the attempt is being voided ends it, then arms once") {
  CardEntryFixture f;
  const std::string first = f.start_armed();
  f.runner->pause("fire_alarm");
  f.runner->resume();  // before the abandon's answers came back
  f.run(Millis{10000});
  CHECK(f.record(first).state == db::CardAttemptState::voided);
  CHECK(f.runner->status().enabled);
  CHECK(f.runner->status().phase == "armed");
  CHECK(f.runner->session_id() != first);
  CHECK(f.sessions_posted().size() == 2);
  f.check_at_rest();
}
