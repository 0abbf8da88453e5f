// Two gate arrays of one store, each a real passgated with its own simulators and database,
// coordinating through a real three-member etcd cluster over TLS (docs/store-coordination.md):
// a token admitted at one array is refused as replayed at the other; a shopper inside through
// one is refused at the other (anti-passback "hard"), and admitted again once her session
// ended; both arrays report the same store occupancy in passgatectl status (and south its
// store metrics); without a quorum
// the fallback ("deny" here) refuses entries.
#include <catch2/catch.hpp>

#include "tests/coordination/etcd_cluster.hpp"
#include "tests/scenario/gate_harness.hpp"
#include "tests/scenario/metrics_client.hpp"
#include "tests/scenario/rig_client.hpp"
#include "tests/scenario/store_arrays.hpp"

namespace passgate::scenario {
namespace {

GateOptions array_options(test::EtcdCluster& cluster, const std::string& gate, const std::filesystem::path& keyset) {
  StoreArray array;
  array.gate = gate;
  array.keyset = keyset;
  return store_array_options(cluster.client_options(gate), array);
}

}  // namespace

TEST_CASE("two arrays of one store: a replay and a shopper inside are refused at the other; one occupancy",
          "[scenario]") {
  test::EtcdCluster cluster;
  GateHarness north(array_options(cluster, "north", {}));
  GateHarness south(array_options(cluster, "south", north.jwks_file()));
  RigClient at_north(north);
  RigClient at_south(south);
  at_north.connect_ready();
  at_south.connect_ready();

  // Ann enters at north; her token is refused at south, and so is her next one: she is inside.
  const std::string token = north.mint("shp_ann");
  at_north.scan(1, token);
  REQUIRE(at_north.wait_level(kRelease1, true));
  at_north.walk_in(1);
  REQUIRE(at_north.wait_level(kRelease1, false));
  at_south.scan(1, token);
  REQUIRE(at_south.wait_display(1, "replayed"));
  at_south.scan(2, north.mint("shp_ann"));
  REQUIRE(at_south.wait_display(2, "already_inside"));
  CHECK(at_south.rises_since_ready(kRelease1) == 0);

  // Bob enters at south and leaves through north's exit.
  at_south.scan(1, north.mint("shp_bob"));
  REQUIRE(at_south.wait_level(kRelease1, true));
  at_south.walk_in(1);
  REQUIRE(at_south.wait_level(kRelease1, false));
  at_north.walk_out(kExitLane);

  // One store, one occupancy: 2 in, 1 out, whichever array is asked.
  CHECK(occupancy_is(north, 2, 1));
  CHECK(occupancy_is(south, 2, 1));
  const auto status = store_status(south);
  CHECK(status.at("reachable") == true);
  CHECK(status.at("occupancy").at("inside") == 1);
  CHECK(status.at("claims_owed") == 0);
  CHECK(status.at("double_uses_24h") == 0);
  // And its metrics.
  const std::string page = MetricsClient(south).get("/metrics").body;
  INFO(page);
  for (const char* line : {"passgate_store_admissions_total{outcome=\"claimed\"} 1",
                           "passgate_store_admissions_total{outcome=\"replayed\"} 1",
                           "passgate_store_admissions_total{outcome=\"inside_elsewhere\"} 1",
                           "passgate_store_double_uses_total 0", "passgate_store_owed{action=\"claim\"} 0",
                           "passgate_store_reachable 1", "passgate_store_occupancy{what=\"inside\"} 1",
                           "passgate_store_occupancy{what=\"arrays\"} 2"}) {
    CHECK(page.find(std::string(line) + "\n") != std::string::npos);
  }

  // Ann's cart is final at north: her session ends, its shopper key is released (the
  // reconciler's next round), and south admits her.
  const auto sessions = north.gate_sessions().at("sessions");
  std::string ann_session;
  for (const auto& s : sessions) {
    if (s.at("state") == "open") ann_session = s.at("session_id").get<std::string>();
  }
  REQUIRE_FALSE(ann_session.empty());
  north.finalize_cart(ann_session, 500);
  const bool admitted = south.poll_until(
      [&] {
        at_south.scan(2, north.mint("shp_ann"));
        return at_south.wait_level(hw::line_name(2, hw::LineRole::release_in), true, std::chrono::seconds(2));
      },
      std::chrono::seconds(40));
  CHECK(admitted);

  // Two of three members gone: no quorum, no answer within coordination_timeout_ms; with
  // fallback "deny" the entry is refused, and status says etcd does not answer.
  cluster.kill(0);
  cluster.kill(1);
  at_north.scan(2, north.mint("shp_cleo"));
  REQUIRE(at_north.wait_display(2, "lane_unavailable"));
  CHECK(north.poll_until([&] { return store_status(north).at("reachable") == false; }, std::chrono::seconds(30)));
}

}  // namespace passgate::scenario
