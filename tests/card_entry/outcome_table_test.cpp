// The contract's outcome table, row by row, at one lane: what the shopper is told, what is
// recorded, and that nothing stays held but an admitted session's hold.
#include <catch2/catch.hpp>

#include "tests/card_entry/card_entry_fixture.hpp"

using namespace passgate;
using namespace passgate::test;

namespace {

void expect_denied(CardEntryFixture& f, const std::string& sid, CardDenial reason) {
  REQUIRE(f.decisions.size() == 1);
  CHECK_FALSE(f.decisions[0].admitted);
  CHECK(f.decisions[0].session_id == sid);
  CHECK(f.decisions[0].reason == reason);
  const auto r = f.record(sid);
  CHECK(r.state == db::CardAttemptState::voided);
  CHECK(r.shopper_denied);
  CHECK(r.reason == std::string(to_string(reason)));
  CHECK(f.terminal.intent_of(sid)->status == "canceled");
  CHECK(f.runner->session_id() != sid);  // armed again, under a new session
  f.check_at_rest();
}

}  // namespace

TEST_CASE("card entry: arming stores every answer before the next request, and a held tap admits with its session") {
  CardEntryFixture f;
  const std::string sid = f.start_armed();
  CHECK(f.terminal.posts_of(TerminalStep::create_customer) == 1);
  CHECK(f.terminal.posts_of(TerminalStep::create_hold) == 1);
  CHECK(f.terminal.posts_of(TerminalStep::collect) == 1);
  CHECK(f.decisions.empty());

  REQUIRE(f.terminal.tap(FakeCard{}));
  f.run();
  REQUIRE(f.decisions.size() == 1);
  CHECK(f.decisions[0].admitted);
  CHECK(f.decisions[0].session_id == sid);
  const auto r = f.record(sid);
  CHECK(r.state == db::CardAttemptState::admitted);
  CHECK(r.card.fingerprint_hash == f.c.hash("fp_visa_4242"));
  CHECK(f.c.open(r.card.generated_card, sid) == "pm_fp_visa_4242");
  db::SessionStore sessions(*f.t.db);
  auto s = sessions.find(sid);
  REQUIRE(s.ok());
  REQUIRE(s->has_value());
  CHECK((*s)->shopper == db::card_shopper(f.c.hash("fp_visa_4242")));
  CHECK((*s)->group_size == 1);
  CHECK(f.runner->session_id() != sid);
  CHECK(f.runner->status().phase == "armed");
  f.check_at_rest();
  CHECK(f.checked_posts == static_cast<int>(f.terminal.posts.size()));
}

TEST_CASE("card entry: a declined card is denied payment_declined, never retried, and its PaymentIntent voided") {
  CardEntryFixture f;
  const std::string sid = f.start_armed();
  REQUIRE(f.terminal.tap(card("fp_declined", "insufficient_funds")));
  f.run();
  expect_denied(f, sid, CardDenial::payment_declined);
  CHECK(f.terminal.posts_of(TerminalStep::confirm) == 1);
}

TEST_CASE("card entry: a tap that read no card is tap_failed and collected again on the same PaymentIntent") {
  CardEntryFixture f;
  const std::string sid = f.start_armed();
  REQUIRE(f.terminal.cancel_tap());  // shopper cancelled, card removed, reader timeout: alike
  f.run();
  REQUIRE(f.decisions.size() == 1);
  CHECK(f.decisions[0].reason == CardDenial::tap_failed);
  CHECK(f.runner->session_id() == sid);
  CHECK(f.record(sid).try_counter == 1);
  CHECK(f.terminal.posts_of(TerminalStep::collect) == 2);
  CHECK(f.terminal.posts.back().key == sid + ":collect:1");
  REQUIRE(f.terminal.tap(FakeCard{}));
  f.run();
  REQUIRE(f.decisions.size() == 2);
  CHECK(f.decisions[1].admitted);
  CHECK(f.terminal.holds_of_session[sid] == 1);
  f.check_at_rest();
}

TEST_CASE("card entry: a card with a session open is denied card_in_session before any authorization") {
  CardEntryFixture f;
  f.start_armed();
  REQUIRE(f.terminal.tap(FakeCard{}));
  f.run();
  REQUIRE(f.admitted_count() == 1);
  f.decisions.clear();
  const std::string second = f.runner->session_id();
  REQUIRE(f.terminal.tap(FakeCard{}));
  f.run();
  expect_denied(f, second, CardDenial::card_in_session);
  CHECK(f.terminal.posts_of(TerminalStep::confirm) == 1);  // the second card was never authorized
}

TEST_CASE("card entry: anti-passback soft admits a card with a session open, as app entry does") {
  CardEntryFixture f;
  f.settings.anti_passback = controller::AntiPassback::soft;
  f.start_armed();
  REQUIRE(f.terminal.tap(FakeCard{}));
  f.run();
  REQUIRE(f.terminal.tap(FakeCard{}));
  f.run();
  CHECK(f.admitted_count() == 2);
  f.check_at_rest();
}

TEST_CASE("card entry: a card on the blocklist is denied shopper_blocked and its PaymentIntent voided") {
  CardEntryFixture f;
  const std::string sid = f.start_armed();
  REQUIRE(f.blocklist->add(f.c.hash("fp_owing"), "unpaid_remainder", "sid-old", db::test::kNow).ok());
  REQUIRE(f.terminal.tap(card("fp_owing")));
  f.run();
  expect_denied(f, sid, CardDenial::shopper_blocked);
}

TEST_CASE("card entry: a reader offline turns card entry off, and on again with a new try when it is back") {
  CardEntryFixture f;
  const std::string sid = f.start_armed();
  f.terminal.offline = true;
  f.terminal.action.reset();  // the reader lost its action
  f.run(Millis{3000});
  CHECK_FALSE(f.runner->status().enabled);
  CHECK(f.runner->status().reason == "reader_offline");
  f.terminal.offline = false;
  f.run(Millis{3000});
  CHECK(f.runner->status().enabled);
  CHECK(f.runner->session_id() == sid);
  CHECK(f.terminal.posts.back().key == sid + ":collect:1");
  REQUIRE(f.terminal.tap(FakeCard{}));
  f.run();
  CHECK(f.admitted_count() == 1);
  f.check_at_rest();
}

TEST_CASE("card entry: a reader busy with another PaymentIntent is cancelled under this try's key, then collected anew") {
  CardEntryFixture f;
  f.terminal.busy_other = true;
  f.start();
  f.run(Millis{3000});
  const std::string sid = f.runner->session_id();
  CHECK(f.terminal.posts_of(TerminalStep::cancel_action) == 1);
  CHECK(f.record(sid).try_counter == 1);
  CHECK(f.runner->status().phase == "armed");
  REQUIRE(f.terminal.tap(FakeCard{}));
  f.run();
  CHECK(f.admitted_count() == 1);
  f.check_at_rest();
}

TEST_CASE("card entry: a confirm whose answer was lost is resolved by reading the PaymentIntent, never sent again") {
  CardEntryFixture f;
  const std::string sid = f.start_armed();
  f.terminal.drop_next_post = true;
  REQUIRE(f.terminal.tap(FakeCard{}));
  f.run();
  CHECK(f.terminal.posts_of(TerminalStep::confirm) == 1);
  REQUIRE(f.decisions.size() == 1);
  CHECK(f.decisions[0].admitted);
  f.check_at_rest();
}

TEST_CASE("card entry: no outcome within auth_timeout denies terminal_unavailable, and the late hold is voided") {
  CardEntryFixture f;
  const std::string sid = f.start_armed();
  f.terminal.confirm_stays_processing = true;
  REQUIRE(f.terminal.tap(FakeCard{}));
  f.run(f.settings.auth_timeout + Millis{1000});
  REQUIRE(f.decisions.size() == 1);
  CHECK(f.decisions[0].reason == CardDenial::terminal_unavailable);
  CHECK(f.record(sid).state == db::CardAttemptState::abandoning);
  f.terminal.confirm_stays_processing = false;
  f.terminal.finish_processing();  // held only now: after the shopper was denied
  f.run(Millis{60000});
  CHECK(f.record(sid).state == db::CardAttemptState::voided);
  CHECK(f.terminal.intent_of(sid)->status == "canceled");
  CHECK(f.admitted_count() == 0);
  f.check_at_rest();
}

TEST_CASE("card entry: a wallet without a saved card is admitted with no saved card recorded") {
  CardEntryFixture f;
  const std::string sid = f.start_armed();
  REQUIRE(f.terminal.tap(card("fp_wallet", "", true)));
  f.run();
  CHECK(f.admitted_count() == 1);
  CHECK(f.record(sid).card.generated_card.empty());
}

TEST_CASE("card entry: without the collect/confirm split, process is sent once and the card checked once held") {
  CardEntryFixture f(false);
  const std::string first = f.start_armed();
  REQUIRE(f.terminal.tap(FakeCard{}));
  f.run();
  CHECK(f.admitted_count() == 1);
  CHECK(f.terminal.posts_of(TerminalStep::process, first) == 1);
  CHECK(f.terminal.posts_of(TerminalStep::confirm) == 0);
  f.decisions.clear();
  const std::string second = f.runner->session_id();
  REQUIRE(f.terminal.tap(FakeCard{}));  // the same card again: held, then voided at once
  f.run();
  expect_denied(f, second, CardDenial::card_in_session);
}
