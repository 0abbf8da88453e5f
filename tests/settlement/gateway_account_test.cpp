// Operations begun with one gateway account are never sent to another: a start or reload
// whose API key (or URL) opens another account is refused while such operations are
// outstanding, and allowed once none is (or for the account already recorded).
#include <catch2/catch.hpp>

#include "controller/settlement/gateway_account_guard.hpp"
#include "crypto/key_fingerprint.hpp"
#include "tests/settlement/planner_fixture.hpp"

using namespace passgate;
using namespace passgate::test;
using db::PaymentOpState;

TEST_CASE("the account is named by a fingerprint of the URL and key, never the key itself") {
  const auto a = crypto::gateway_account_id("https://api.stripe.com", "rk_live_a");
  const auto b = crypto::gateway_account_id("https://api.stripe.com", "rk_live_b");
  const auto c = crypto::gateway_account_id("https://gw.example", "rk_live_a");
  REQUIRE(a.ok());
  CHECK(a->size() == 16);
  CHECK(*a != *b);
  CHECK(*a != *c);
  CHECK(*a == crypto::gateway_account_id("https://api.stripe.com", "rk_live_a").value());
  CHECK(a->find("rk_live") == std::string::npos);
}

TEST_CASE("another gateway account is refused while operations begun with the recorded one are outstanding") {
  PlannerFixture f;
  CHECK(controller::check_gateway_account(f.gate_status, f.queue, "acct_b").ok());  // nothing recorded yet
  REQUIRE(controller::record_gateway_account(f.gate_status, "acct_a", f.now_ms()).ok());
  f.add_session("s1");
  const std::int64_t charge = f.enqueue("s1", "charge", 1234);
  CHECK(controller::check_gateway_account(f.gate_status, f.queue, "acct_b").ok());  // never sent: may go anywhere

  REQUIRE(f.queue.mark_in_flight(charge, f.now_ms()).ok());
  REQUIRE(f.queue.mark_retry(charge, f.now_ms() + 1000, "timeout").ok());  // its outcome unknown
  const Status refused = controller::check_gateway_account(f.gate_status, f.queue, "acct_b");
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == "gateway_account_changed");
  CHECK_THAT(refused.error().message, Catch::Contains("1 payment operation(s) or hold(s) still depend on") &&
                                          Catch::Contains("acct_a") && Catch::Contains("could charge twice"));
  CHECK(controller::check_gateway_account(f.gate_status, f.queue, "acct_a").ok());

  f.conclude(charge, PaymentOpState::succeeded);
  CHECK(controller::check_gateway_account(f.gate_status, f.queue, "acct_b").ok());
}

TEST_CASE("a capture or void waiting to be sent keeps the account of the hold it acts on") {
  PlannerFixture f;
  REQUIRE(controller::record_gateway_account(f.gate_status, "acct_a", f.now_ms()).ok());
  f.add_session("s1");
  (void)f.enqueue("s1", "void", 0, "pi_hold");
  CHECK_FALSE(controller::check_gateway_account(f.gate_status, f.queue, "acct_b").ok());
}
