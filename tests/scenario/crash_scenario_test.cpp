// Crash test: passgated is killed with SIGKILL at random moments while payments are in
// flight (a slow gateway keeps requests open), and started again each time. At the end every
// final cart is settled exactly once by the gateway's ledger: no duplicate, nothing lost,
// nothing stuck in the queue. PASSGATE_CRASH_KILLS sets the number of kills (default 50).
#include <catch2/catch.hpp>

#include <cstdlib>
#include <map>
#include <random>

#include "tests/scenario/settlement_support.hpp"

namespace passgate::scenario {
namespace {

using nlohmann::json;

int kills_wanted() {
  const char* text = std::getenv("PASSGATE_CRASH_KILLS");
  const int kills = text ? std::atoi(text) : 50;
  return kills > 0 ? kills : 50;
}

TEST_CASE("SIGKILL at random moments while payments are in flight settles every cart exactly once", "[scenario]") {
  GateHarness gate;
  std::map<std::string, std::int64_t> totals;  // session -> final cart total
  std::vector<std::string> waiting;            // admitted, cart not yet final
  {
    RigClient rig(gate);
    rig.connect_ready();
    for (int i = 0; i < 12; ++i) {
      const std::string shopper = "shp_crash" + std::to_string(i);
      waiting.push_back(admit_and_walk(gate, rig, shopper, gate.mint(shopper)));
    }
    rig.close();
  }
  std::mt19937 rng(20261122);
  std::uniform_int_distribution<std::int64_t> cart_total(0, 5000);
  const auto finalize_next = [&] {
    if (waiting.empty()) return;
    const std::int64_t total = cart_total(rng) < 800 ? 0 : cart_total(rng);  // some carts are empty
    gate.finalize_cart(waiting.back(), total);
    totals[waiting.back()] = total;
    waiting.pop_back();
  };
  for (int i = 0; i < 4; ++i) finalize_next();

  // Each request takes 300 ms at the gateway, so most kills land with requests open.
  gate.set_gateway_fault("slow", json{{"delay_ms", 300}});
  std::uniform_int_distribution<int> alive_ms(0, 600);
  const int kills = kills_wanted();
  for (int k = 0; k < kills; ++k) {
    gate.kill_gate();
    if (k % 4 == 0) finalize_next();  // carts keep arriving while the gate is down
    gate.start_gate();
    gate.run_for(std::chrono::milliseconds(alive_ms(rng)));
  }
  while (!waiting.empty()) finalize_next();
  gate.set_gateway_fault("none");

  std::int64_t expected = 0;
  for (const auto& [session, total] : totals) expected += total;
  json ledger;
  REQUIRE(wait_settled(gate, expected, ledger, 60s));
  INFO(ledger.dump(2));
  for (const auto& [session, total] : totals) {
    INFO(session);
    CHECK(collected_for(ledger, session) == total);
  }
  require_no_duplicates(ledger);
  // How often a kill caught a request open: its resend was answered from the stored key.
  WARN(kills << " kills; the gateway replayed " << ledger.at("requests").at("replayed") << " resent request(s) of "
             << ledger.at("requests").at("total"));
  const db::QueueTotals queue = gate.queue_totals();
  CHECK(queue.outstanding_ops == 0);
  CHECK(queue.dead_letters == 0);
  std::int64_t collected_total = 0;
  for (const auto& session : ledger.at("sessions")) collected_total += session.at("collected").get<std::int64_t>();
  CHECK(collected_total == expected);
}

}  // namespace
}  // namespace passgate::scenario
