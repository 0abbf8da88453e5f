// The card-entry tests' lane: a CardEntryRunner on a FakeTerminal in virtual time, over a real
// database (tests/db's TestDatabase and CardCrypto, as the store's own tests use them). Every
// POST is checked against the database when it is sent: its attempt is stored and the key is
// the one stored for that step (so a key is never used before it is durable, nor another).
// restart() is a crash: the runner and every answer under way are gone, the database reopened.
#pragma once

#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <vector>

#include "controller/card_entry/runner.hpp"
#include "db/card_attempt_store.hpp"
#include "db/card_blocklist.hpp"
#include "tests/card_entry/fake_terminal.hpp"
#include "tests/db/card_attempt_support.hpp"

namespace passgate::test {

using controller::CardDecision;
using controller::CardDenial;

struct CardEntryFixture {
  explicit CardEntryFixture(bool split = true) {
    vt.set_wall(WallTime(std::chrono::milliseconds(db::test::kNow)));
    settings.gate = controller::GateIdentity{"store-1", "gate-a"};
    settings.lane = 1;
    settings.reader_id = "tmr_lane1";
    settings.currency = "eur";
    settings.hold_minor = 3000;
    settings.collect_confirm_split = split;
    open_stores();
    terminal.before_post = [this](const FakeTerminal::Post& p) { check_post(p); };
  }

  void open_stores() {
    attempts = std::make_unique<db::CardAttemptStore>(*t.db);
    blocklist = std::make_unique<db::CardBlocklist>(*t.db);
  }
  // The lane's runner, not started yet.
  void make_runner() {
    runner = std::make_unique<controller::CardEntryRunner>(
        settings, terminal, *attempts, *blocklist, c.sealer, c.hasher, vt, vt,
        [this](CardDecision d) { decisions.push_back(std::move(d)); });
  }
  void start() {
    make_runner();
    runner->start();
  }
  // A crash and a restart: nothing of the old run answers any more.
  void restart() {
    runner.reset();
    vt.drop_pending();
    t.reopen();
    open_stores();
    start();
  }
  void run(Millis d = Millis{3000}) { vt.advance(d); }
  // Starts the lane and runs until it is armed (the reader collecting): its session id.
  std::string start_armed() {
    start();
    run();
    REQUIRE(runner->status().phase == "armed");
    REQUIRE(runner->status().enabled);
    return runner->session_id();
  }

  [[nodiscard]] db::CardAttemptRecord record(const std::string& sid) {
    auto found = attempts->find(sid);
    REQUIRE(found.ok());
    REQUIRE(found->has_value());
    return **found;
  }
  [[nodiscard]] std::vector<std::string> sessions_posted() const {
    std::vector<std::string> sids;
    for (const auto& p : terminal.posts) {
      if (sids.empty() || sids.back() != p.session_id) sids.push_back(p.session_id);
    }
    return sids;
  }

  // The key of `p` is its stored attempt's key for that step, written before it was sent.
  void check_post(const FakeTerminal::Post& p) {
    auto found = attempts->find(p.session_id);
    REQUIRE(found.ok());
    REQUIRE(found->has_value());
    const db::CardAttemptRecord& r = **found;
    switch (p.step) {
      case TerminalStep::create_customer:
        CHECK(p.key == r.keys.customer);
        break;
      case TerminalStep::create_hold:
        CHECK(p.key == r.keys.hold);
        CHECK_FALSE(r.customer.empty());
        break;
      case TerminalStep::collect:
        CHECK(p.key == r.keys.collect);
        CHECK_FALSE(r.intent.empty());
        CHECK(r.state == db::CardAttemptState::armed);
        break;
      case TerminalStep::process:
        CHECK(p.key == r.keys.process);
        break;
      case TerminalStep::confirm:
        CHECK(p.key == r.keys.confirm);
        CHECK(r.state == db::CardAttemptState::tapped);
        break;
      case TerminalStep::cancel_action:
        CHECK(p.key == r.keys.cancel_action);
        break;
      case TerminalStep::void_intent:
        CHECK(p.key == r.keys.void_intent);
        CHECK(r.state == db::CardAttemptState::abandoning);
        break;
      default:
        FAIL("a POST the lane never sends: " << to_string(p.step));
    }
    ++checked_posts;
  }

  // What holds after every step: at most one PaymentIntent per session, at most one attempt
  // per lane not final, and every admission told to the lane has its admitted row, its session
  // and a PaymentIntent requires_capture for the hold.
  void check_invariants() {
    for (const auto& [sid, n] : terminal.holds_of_session) CHECK(n <= 1);
    auto unfinished = attempts->unfinished();
    REQUIRE(unfinished.ok());
    CHECK(unfinished->size() <= 1);
    for (const CardDecision& d : decisions) {
      if (!d.admitted) continue;
      CHECK(record(d.session_id).state == db::CardAttemptState::admitted);
      const auto* pi = terminal.intent_of(d.session_id);
      REQUIRE(pi != nullptr);
      CHECK(pi->status == "requires_capture");
      CHECK(pi->capturable == settings.hold_minor);
      db::SessionStore sessions(*t.db);
      auto s = sessions.find(d.session_id);
      REQUIRE(s.ok());
      CHECK(s->has_value());
    }
  }
  // At rest (faults cleared, time run): every attempt is admitted or voided but the armed one,
  // and no PaymentIntent is held but an admitted attempt's.
  void check_at_rest() {
    check_invariants();
    for (const auto& [id, pi] : terminal.intents) {
      auto r = record(pi.session_id);
      if (r.state == db::CardAttemptState::admitted) {
        CHECK(pi.status == "requires_capture");
      } else {
        CHECK(pi.status != "requires_capture");
        CHECK(pi.status != "processing");
        if (pi.session_id != runner->session_id()) {
          CHECK(r.state == db::CardAttemptState::voided);
          CHECK(pi.status == "canceled");
        }
      }
    }
  }
  [[nodiscard]] int admitted_count() const {
    int n = 0;
    for (const auto& d : decisions) n += d.admitted ? 1 : 0;
    return n;
  }

  VirtualTime vt;
  db::test::TestDatabase t;
  db::test::CardCrypto c = db::test::CardCrypto::make();
  FakeTerminal terminal{vt};
  controller::CardEntrySettings settings;
  std::unique_ptr<db::CardAttemptStore> attempts;
  std::unique_ptr<db::CardBlocklist> blocklist;
  std::unique_ptr<controller::CardEntryRunner> runner;
  std::vector<CardDecision> decisions;
  int checked_posts = 0;
};

}  // namespace passgate::test
