// Scenario tests of settlement: the real passgated with the real tracking and gateway
// simulators. Every final cart is charged exactly once by the gateway's ledger, through
// outages, lost responses, rate limiting and declines; payment references stay sealed; a
// gateway whose answers do not match what was asked moves no operation to paid.
#include <catch2/catch.hpp>

#include <csignal>
#include <fstream>
#include <limits>
#include <map>

#include "tests/scenario/settlement_support.hpp"

namespace passgate::scenario {
namespace {

using nlohmann::json;

TEST_CASE("every final cart is charged once, an empty cart costs nothing, and references stay out of logs and disk",
          "[scenario]") {
  GateHarness gate;
  RigClient rig(gate);
  rig.connect_ready();
  const std::string alice = admit_and_walk(gate, rig, "shp_alice", gate.mint("shp_alice"));
  const std::string bob = admit_and_walk(gate, rig, "shp_bob", gate.mint("shp_bob"));
  const std::string carol = admit_and_walk(gate, rig, "shp_carol", gate.mint("shp_carol"));
  gate.finalize_cart(alice, 1234);
  gate.finalize_cart(bob, 0);
  gate.finalize_cart(carol, 560);

  json ledger;
  REQUIRE(wait_settled(gate, 1234 + 560, ledger, 20s));
  CHECK(collected_for(ledger, alice) == 1234);
  CHECK(collected_for(ledger, bob) == 0);
  CHECK(collected_for(ledger, carol) == 560);
  CHECK(ledger.at("intents").size() == 2);
  require_no_duplicates(ledger);

  const std::string log = gate.gated().output();
  gate.stop_gate();
  for (const char* secret : {"cus_test", "pm_card_visa", "sk_test_scenario"}) {
    INFO(secret);
    CHECK(log.find(secret) == std::string::npos);
    for (const auto& file : {gate.database_file(), std::filesystem::path(gate.database_file().string() + "-wal")})
      CHECK(file_bytes(file).find(secret) == std::string::npos);
  }
}

TEST_CASE("hostile carts are quarantined, never charged, and the shoppers after them are settled", "[scenario]") {
  GateHarness gate;
  RigClient rig(gate);
  rig.connect_ready();
  const std::string alice = admit_and_walk(gate, rig, "shp_alice", gate.mint("shp_alice"));
  std::vector<std::string> hostile;
  for (const char* shopper : {"shp_eur", "shp_jpy", "shp_xxx", "shp_huge", "shp_negative", "shp_fraction", "shp_text",
                              "shp_lower"})
    hostile.push_back(admit_and_walk(gate, rig, shopper, gate.mint(shopper)));
  const std::string gina = admit_and_walk(gate, rig, "shp_gina", gate.mint("shp_gina"));
  gate.finalize_cart(alice, 1234);
  gate.finalize_hostile_cart(hostile[0], "EUR", 1000);
  gate.finalize_hostile_cart(hostile[1], "JPY", 1000);
  gate.finalize_hostile_cart(hostile[2], "XXX", 1000);
  gate.finalize_hostile_cart(hostile[3], "USD", std::numeric_limits<std::int64_t>::max());
  gate.finalize_hostile_cart(hostile[4], "USD", -5);
  gate.finalize_hostile_cart(hostile[5], "USD", 12.5);
  gate.finalize_hostile_cart(hostile[6], "USD", "12");
  gate.finalize_hostile_cart(hostile[7], "usd", 1000);
  gate.finalize_cart(gina, 560);  // after every bad cart in the feed

  json ledger;
  REQUIRE(wait_settled(gate, 1234 + 560, ledger, 20s));
  CHECK(collected_for(ledger, alice) == 1234);
  CHECK(collected_for(ledger, gina) == 560);
  for (const auto& session : hostile) CHECK(collected_for(ledger, session) == 0);
  CHECK(ledger.at("intents").size() == 2);
  const auto totals = gate.queue_totals();
  CHECK(totals.quarantined_carts ==
        std::map<std::string, std::int64_t>{{"currency", 3}, {"over_limit", 1}, {"unreadable", 4}});
  CHECK(totals.outstanding_ops == 0);
  CHECK(gate.gated().output().find("event=cart_quarantined session=" + hostile[3] + " reason=over_limit") !=
        std::string::npos);
}

TEST_CASE("carts settled while the gateway is down are forwarded once when it returns", "[scenario]") {
  GateHarness gate;
  RigClient rig(gate);
  rig.connect_ready();
  gate.set_gateway_fault("unreachable");
  std::vector<std::string> sessions;
  for (int i = 0; i < 4; ++i) {
    const std::string shopper = "shp_" + std::to_string(i);
    sessions.push_back(admit_and_walk(gate, rig, shopper, gate.mint(shopper)));  // entry needs no gateway
    gate.finalize_cart(sessions.back(), 100 * (i + 1));
  }
  REQUIRE(gate.poll_until([&] { return gate.queue_totals().outstanding_ops == 4; }, 20s));
  CHECK(gate.queue_totals().outstanding_minor.at("USD").minor == 1000);

  gate.set_gateway_fault("none");
  json ledger;
  REQUIRE(wait_settled(gate, 1000, ledger, 30s));
  for (int i = 0; i < 4; ++i) CHECK(collected_for(ledger, sessions[static_cast<std::size_t>(i)]) == 100 * (i + 1));
  require_no_duplicates(ledger);
}

TEST_CASE("a gateway that executes and then drops the response causes no duplicate charge", "[scenario]") {
  GateHarness gate;
  RigClient rig(gate);
  rig.connect_ready();
  const std::string dave = admit_and_walk(gate, rig, "shp_dave", gate.mint("shp_dave"));
  const std::string erin = admit_and_walk(gate, rig, "shp_erin", gate.mint("shp_erin"));
  gate.set_gateway_fault("drop_response", json{{"count", 3}});
  gate.finalize_cart(dave, 700);
  gate.finalize_cart(erin, 800);

  json ledger;
  REQUIRE(wait_settled(gate, 1500, ledger, 30s));
  CHECK(collected_for(ledger, dave) == 700);
  CHECK(collected_for(ledger, erin) == 800);
  CHECK(ledger.at("intents").size() == 2);
  CHECK(ledger.at("requests").at("dropped").get<int>() >= 1);
  CHECK(ledger.at("requests").at("replayed").get<int>() >= 1);  // the resend with the same key
  require_no_duplicates(ledger);
}

TEST_CASE("a 429 storm is waited out with Retry-After and every cart still settles once", "[scenario]") {
  GateHarness gate;
  RigClient rig(gate);
  rig.connect_ready();
  std::vector<std::string> sessions;
  for (int i = 0; i < 3; ++i) {
    const std::string shopper = "shp_rl" + std::to_string(i);
    sessions.push_back(admit_and_walk(gate, rig, shopper, gate.mint(shopper)));
  }
  gate.set_gateway_fault("rate_limit", json{{"retry_after_s", 1}, {"count", 6}});
  for (const auto& s : sessions) gate.finalize_cart(s, 250);

  json ledger;
  REQUIRE(wait_settled(gate, 750, ledger, 30s));
  CHECK(ledger.at("requests").at("faulted").get<int>() == 6);
  for (const auto& s : sessions) CHECK(collected_for(ledger, s) == 250);
  require_no_duplicates(ledger);
}

TEST_CASE("a declined card at exit goes to the dead-letter list and is never retried by itself", "[scenario]") {
  GateHarness gate;
  RigClient rig(gate);
  rig.connect_ready();
  const std::string frank =
      admit_and_walk(gate, rig, "shp_frank", gate.mint_paying("shp_frank", "pm_card_chargeDeclinedInsufficientFunds"));
  const std::string grace = admit_and_walk(gate, rig, "shp_grace", gate.mint("shp_grace"));
  gate.finalize_cart(frank, 4200);
  gate.finalize_cart(grace, 300);

  json ledger;
  REQUIRE(wait_settled(gate, 300, ledger, 20s));
  REQUIRE(gate.poll_until([&] { return gate.queue_totals().dead_letters == 1; }, 10s));
  CHECK(collected_for(ledger, frank) == 0);
  const auto requests = gate.gateway_ledger().at("requests").at("total").get<int>();
  gate.run_for(1500ms);  // more than the drainer's idle poll: nothing is resent
  CHECK(gate.gateway_ledger().at("requests").at("total").get<int>() == requests);
}

TEST_CASE("a lying gateway's answers are dead letters naming the mismatch, and the rest of the queue settles",
          "[scenario]") {
  GateHarness gate;
  RigClient rig(gate);
  rig.connect_ready();
  struct Lie {
    const char* lie;
    const char* spelled_out;
  };
  const Lie lies[] = {{"amount", "amount: expected 1009, got 1"},
                      {"currency", "currency: expected usd, got jpy"},
                      {"status_299", "HTTP 299 is not an answer the payment gateway contract names"}};
  std::vector<std::string> lied;
  for (const Lie& lie : lies) {
    const std::string shopper = std::string("shp_") + lie.lie;
    lied.push_back(admit_and_walk(gate, rig, shopper, gate.mint(shopper)));
  }
  const std::string honest = admit_and_walk(gate, rig, "shp_honest", gate.mint("shp_honest"));

  for (std::size_t i = 0; i < lied.size(); ++i) {
    INFO(lies[i].lie);
    gate.set_gateway_fault("lie", json{{"lie", lies[i].lie}, {"count", 1}});
    gate.finalize_cart(lied[i], 1009);
    REQUIRE(gate.poll_until([&] { return gate.queue_totals().dead_letters == static_cast<std::int64_t>(i + 1); }, 20s));
    const auto ops = payment_ops_of(gate, lied[i]);
    REQUIRE(ops.size() == 1);
    CHECK(ops[0].state == db::PaymentOpState::dead);
    CHECK(ops[0].attempts == 1);
    CHECK_THAT(ops[0].last_error, Catch::Contains(lies[i].spelled_out) && Catch::Contains("money may have moved"));
  }

  // The gateway did collect the three: a person reconciles them. The honest cart settles.
  gate.finalize_cart(honest, 560);
  json ledger;
  REQUIRE(wait_settled(gate, 3 * 1009 + 560, ledger, 20s));
  CHECK(collected_for(ledger, honest) == 560);
  CHECK(ledger.at("requests").at("lied").get<int>() == 3);
  const auto requests = ledger.at("requests").at("total").get<int>();
  gate.run_for(1500ms);  // more than the drainer's idle poll: nothing is resent by itself
  CHECK(gate.gateway_ledger().at("requests").at("total").get<int>() == requests);
  CHECK(gate.queue_totals().dead_letters == 3);
  CHECK_THAT(gate.gated().output(), Catch::Contains("event=payment_unverified"));
}

TEST_CASE("with a hold at entry: capture within the hold, charge and void above it, void for an empty cart",
          "[scenario]") {
  GateHarness gate(GateOptions{.hold_amount_minor = 5000});
  RigClient rig(gate);
  rig.connect_ready();
  const std::string small = admit_and_walk(gate, rig, "shp_small", gate.mint("shp_small"));
  const std::string large = admit_and_walk(gate, rig, "shp_large", gate.mint("shp_large"));
  const std::string none = admit_and_walk(gate, rig, "shp_none", gate.mint("shp_none"));
  {
    const json ledger = gate.gateway_ledger();
    INFO(ledger.dump(2));
    CHECK(ledger.at("totals").at("usd").at("held").get<std::int64_t>() == 15000);
  }
  gate.finalize_cart(small, 1200);
  gate.finalize_cart(large, 9000);
  gate.finalize_cart(none, 0);

  json ledger;
  REQUIRE(wait_settled(gate, 10200, ledger, 30s));
  // The void of the large cart's hold follows its charge once that is final (the planner's
  // follow-up, asked for by the charge's outcome): the queue is empty in between.
  REQUIRE(gate.poll_until(
      [&] {
        ledger = gate.gateway_ledger();
        return ledger.at("totals").at("usd").at("held").get<std::int64_t>() == 0 && gate.queue_totals().outstanding_ops == 0;
      },
      30s));
  INFO(ledger.dump(2));
  CHECK(collected_for(ledger, small) == 1200);
  CHECK(collected_for(ledger, large) == 9000);
  CHECK(collected_for(ledger, none) == 0);
  CHECK(ledger.at("totals").at("usd").at("held").get<std::int64_t>() == 0);  // every hold captured or voided
  require_no_duplicates(ledger);

  // A card declined at entry keeps the barrier shut.
  rig.scan(1, gate.mint_paying("shp_broke", "pm_card_chargeDeclined"));
  REQUIRE(rig.wait_display(1, "payment_declined"));
}

TEST_CASE("another gateway account is refused, by a reload and at start, while a charge begun with this one is outstanding",
          "[scenario]") {
  GateHarness gate;
  RigClient rig(gate);
  rig.connect_ready();
  gate.set_gateway_fault("unreachable");
  const std::string session = admit_and_walk(gate, rig, "shp_account", gate.mint("shp_account"));
  gate.finalize_cart(session, 500);
  REQUIRE(gate.poll_until([&] { return gate.gated().output().find("event=gateway_unreachable") != std::string::npos; },
                          20s));
  REQUIRE(gate.queue_totals().outstanding_ops == 1);

  const auto key_file = gate.dir() / "gateway.key";
  std::string old_key;
  std::getline(std::ifstream(key_file), old_key);
  const auto write_key = [&key_file](const std::string& key) {
    std::ofstream(key_file, std::ios::trunc) << key << "\n";  // keeps the file's mode (0600)
  };
  write_key("sk_test_another_account");
  gate.gated().signal(SIGHUP);
  REQUIRE(gate.gated().wait_for_output("event=config_reload_refused ", kReactLimit));
  CHECK(gate.gated().output().find("now opens another gateway account") != std::string::npos);

  gate.stop_gate();
  {
    test::ChildProcess refused(PASSGATED, {"--config", gate.config_file().string()});
    const auto status = refused.wait_exit(kStartLimit);
    INFO(refused.output());
    CHECK(status == 78);
    CHECK(refused.output().find("event=startup_failed what=config detail=\"payments: payments.api_key_file (or gateway_url) now opens another gateway account") != std::string::npos);
  }

  // With the key of the account the charge began with, it goes through, once.
  write_key(old_key);
  gate.set_gateway_fault("none");
  gate.start_gate();
  json ledger;
  REQUIRE(wait_settled(gate, 500, ledger, 30s));
  CHECK(collected_for(ledger, session) == 500);
  require_no_duplicates(ledger);
}

}  // namespace
}  // namespace passgate::scenario
