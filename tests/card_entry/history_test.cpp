// Generated histories against a small reference model: random taps (good, declined, wallet,
// the same card again, blocklisted, cancelled), faults switched on and off (offline, busy, API
// down, lost answers, 429s, slow answers, confirms left processing), presence, clock steps and
// crashes. After every step: at most one hold per session, at most one attempt per lane not
// final, every admission told is recorded with a hold for the hold amount, and every POST is
// under its attempt's stored key. At the end, with the faults cleared, nothing is held but an
// admitted session's hold, and the model's count of admissions matches the lane's.
#include <catch2/catch.hpp>

#include <random>
#include <set>

#include "tests/card_entry/card_entry_fixture.hpp"

using namespace passgate;
using namespace passgate::test;

TEST_CASE("card entry: generated histories of taps, faults, clock steps and crashes keep money exactly once") {
  const unsigned seed = GENERATE(range(1u, 13u));
  CAPTURE(seed);
  std::mt19937 rng(seed);
  auto pick = [&rng](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
  CardEntryFixture f(seed % 4 != 0);
  REQUIRE(f.blocklist->add(f.c.hash("fp_owing"), "unpaid_remainder", "sid-old", db::test::kNow).ok());
  f.start();
  // The model: the cards (hashes) with an admitted, open session; an approving card tapped on
  // an armed lane with no fault is admitted exactly when it has none.
  std::set<std::string> inside;
  int crashes = 0;
  for (int step = 0; step < 120; ++step) {
    CAPTURE(step);
    const int what = pick(16);
    const bool calm = !f.terminal.offline && !f.terminal.busy_other && !f.terminal.api_down &&
                      !f.terminal.confirm_stays_processing && f.terminal.delay == Millis{0};
    if (what <= 5) {
      const std::string fp = "fp_" + std::to_string(pick(4));
      const bool armed = f.runner->status().phase == "armed" && calm;
      const std::size_t told = f.decisions.size();
      if (f.terminal.tap(card(fp)) && armed) {
        f.run(Millis{5000});
        if (f.decisions.size() > told) {
          // The model's expectation, when the lane could answer at all.
          const bool expected = inside.count(f.c.hash(fp)) == 0;
          CAPTURE(to_string(f.decisions.back().reason));
          CHECK(f.decisions.back().admitted == expected);
        }
      }
    } else if (what == 6) {
      (void)f.terminal.tap(card("fp_declined", "card_declined"));
    } else if (what == 7) {
      (void)f.terminal.tap(card("fp_owing"));
    } else if (what == 8) {
      (void)f.terminal.cancel_tap();
    } else if (what == 9) {
      f.terminal.offline = !f.terminal.offline;
    } else if (what == 10) {
      f.terminal.api_down = !f.terminal.api_down;
    } else if (what == 11) {
      f.terminal.drop_next_post = true;
      f.terminal.retry_later_next = pick(2);
    } else if (what == 12) {
      f.terminal.busy_other = pick(2) == 0;
      f.terminal.confirm_stays_processing = pick(3) == 0;
      if (!f.terminal.confirm_stays_processing) f.terminal.finish_processing();
      f.terminal.delay = Millis{pick(3) * 1500};
    } else if (what == 13) {
      f.runner->set_presence(pick(2) == 0);
    } else if (what == 14) {
      f.vt.set_wall(f.vt.wall_now() + Millis{(pick(2) == 0 ? -1 : 1) * 3600 * 1000});  // a clock step
    } else {
      ++crashes;
      f.restart();
    }
    f.run(Millis{pick(4000) + 1});
    f.check_invariants();
    for (const auto& d : f.decisions) {
      if (d.admitted) inside.insert(f.record(d.session_id).card.fingerprint_hash);  // cards inside (the model)
    }
  }
  // Faults cleared, time run: everything resolved.
  f.terminal.offline = f.terminal.busy_other = f.terminal.api_down = f.terminal.confirm_stays_processing = false;
  f.terminal.delay = Millis{0};
  f.terminal.finish_processing();
  f.run(Millis{600000});
  f.check_at_rest();
  CHECK(f.runner->status().enabled);
  CHECK(f.checked_posts == static_cast<int>(f.terminal.posts.size()));
  int admitted_rows = 0;
  for (const auto& [id, pi] : f.terminal.intents) {
    admitted_rows += f.record(pi.session_id).state == db::CardAttemptState::admitted ? 1 : 0;
  }
  CHECK(admitted_rows == f.admitted_count());
}
