// Card sessions hold their sealing key back too: a card session's customer, PaymentIntent and
// saved card are sealed in its card attempt, and a reload or restart that drops that key while
// the session is not settled (or its capture or charge may still be sent) is refused, naming
// the key. And a card session failing on its own row (a reference that does not open) is left
// out for a while, so it does not starve the card sessions after it.
#include <catch2/catch.hpp>

#include <SQLiteCpp/SQLiteCpp.h>

#include "controller/settlement/sealing_keys_in_use.hpp"
#include "tests/settlement/card_settlement_fixture.hpp"

using namespace passgate;
using namespace passgate::test;
using db::PaymentOpState;

namespace {

const std::string kFixtureKey(32, 's');
const std::string kOtherKey(32, 'z');

crypto::PaymentSealer sealer_of(const std::vector<std::string>& raw) {
  auto sealer = crypto::PaymentSealer::from_keys(raw);
  REQUIRE(sealer.ok());
  return std::move(sealer).value();
}

}  // namespace

TEST_CASE("a card session not settled yet holds its sealing key back until its capture has gone through") {
  CardSettlementFixture f;
  f.admit_card("c1", "fp-1");
  const std::string key = f.sealer.current_key_id();
  const auto without = sealer_of({kOtherKey});
  const Status dropped = controller::check_sealing_keys(f.sessions, without);
  REQUIRE_FALSE(dropped.ok());
  CHECK(dropped.error().code == "seal_key_needed");
  CHECK_THAT(dropped.error().message, Catch::Contains("1 session(s) not settled yet (e.g. c1)") &&
                                          Catch::Contains("sealed with key " + key));
  const auto kept = controller::sealing_keys_in_use(f.sessions, sealer_of({kOtherKey, kFixtureKey}), true);
  REQUIRE(kept.ok());
  REQUIRE(kept->count(key) == 1);
  CHECK(kept->at(key).sessions == 1);  // one session, its three references
  CHECK(kept->at(key).damaged == 0);   // each opens alone

  f.record_carts({final_cart("c1", 4500, "EUR")});
  REQUIRE(f.planner.run() == 1);
  CHECK_FALSE(controller::check_sealing_keys(f.sessions, without).ok());  // capture and charge to send
  f.start_card_drainer();
  for (int round = 0; round < 10; ++round) {
    f.vt.run_ready();
    while (!f.gateway.calls.empty()) {
      f.gateway.approve_oldest();
      f.vt.run_ready();
    }
    f.vt.advance(std::chrono::seconds(2));
  }
  for (const auto& op : f.settling_ops("c1")) CHECK(op.state == PaymentOpState::succeeded);
  CHECK(controller::check_sealing_keys(f.sessions, without).ok());
}

TEST_CASE("card sessions whose payment reference does not open are left out, the ones after them planned") {
  CardSettlementFixture f({}, false);
  controller::PlannerSettings settings;
  settings.batch = 2;
  controller::SettlementPlanner planner{f.store, f.queue, f.vt, f.vt, [] {}, settings};
  planner.set_card_planner(&f.card_planner);
  for (int i = 1; i <= 4; ++i) f.admit_card("c" + std::to_string(i), "fp-" + std::to_string(i), {}, i);
  f.record_carts({final_cart("c1", 100, "EUR"), final_cart("c2", 100, "EUR"), final_cart("c3", 100, "EUR"),
                  final_cart("c4", 100, "EUR")});
  // The two oldest cannot be planned: their PaymentIntent's sealed bytes are damaged.
  f.t.db->sql().exec("UPDATE card_attempts SET intent_sealed = x'00' WHERE session_id IN ('c1', 'c2')");
  for (int run = 0; run < 4; ++run) {
    (void)planner.run();
    f.vt.run_ready();
  }
  CHECK_FALSE(f.settlement("c1").has_value());
  CHECK_FALSE(f.settlement("c2").has_value());
  REQUIRE(f.settlement("c3").has_value());
  REQUIRE(f.settlement("c4").has_value());
  CHECK(f.settlement("c3")->decision.plan == "card:capture");
}

TEST_CASE("a card attempt not final (held, or abandoning with its void to send) holds its sealing key back") {
  CardSettlementFixture f;
  const std::string key = f.sealer.current_key_id();
  const auto without = sealer_of({kOtherKey});
  // Lane 1 held (its admission not committed), lane 2 only armed with its PaymentIntent made.
  f.hold_card("h1", "fp-1");
  REQUIRE(db::test::describe(f.attempts.arm(db::test::new_attempt("a2", 2), f.now_ms())) == "ok");
  REQUIRE(db::test::describe(f.attempts.record_customer("a2", f.c.seal("cus_a2", "a2"))) == "ok");
  REQUIRE(db::test::describe(f.attempts.record_intent("a2", f.c.seal("pi_a2", "a2"))) == "ok");
  const Status dropped = controller::check_sealing_keys(f.sessions, without);
  REQUIRE_FALSE(dropped.ok());
  CHECK_THAT(dropped.error().message, Catch::Contains("2 session(s) not settled yet") &&
                                          Catch::Contains("sealed with key " + key));
  const auto kept = controller::sealing_keys_in_use(f.sessions, sealer_of({kOtherKey, kFixtureKey}), true);
  REQUIRE(kept.ok());
  CHECK(kept->at(key).sessions == 2);
  CHECK(kept->at(key).damaged == 0);

  // Given up: its void still to be sent after a restart, so its key is still needed.
  REQUIRE(db::test::describe(f.attempts.abandon("h1", "lane_out_of_service", f.now_ms())) == "ok");
  REQUIRE(db::test::describe(f.attempts.abandon("a2", "rearm", f.now_ms())) == "ok");
  CHECK_FALSE(controller::check_sealing_keys(f.sessions, without).ok());
  // Voided: nothing of either attempt is opened again, and the key may go.
  REQUIRE(db::test::describe(f.attempts.mark_voided("h1", f.now_ms())) == "ok");
  REQUIRE(db::test::describe(f.attempts.mark_voided("a2", f.now_ms())) == "ok");
  CHECK(controller::check_sealing_keys(f.sessions, without).ok());
}
