// Scenario tests of entry: the real passgated with the real tracking simulator and an
// in-process rig. A shopper with a good token is admitted and reported; a forged token never
// opens anything; while the tracking engine is down the offline policy decides.
#include <catch2/catch.hpp>

#include "hw/line_names.hpp"
#include "tests/scenario/gate_harness.hpp"
#include "tests/scenario/rig_client.hpp"

namespace passgate::scenario {
namespace {

using nlohmann::json;
using hw::LineRole;


// No release line of any lane rose since the rig made the gate ready.
void require_nothing_released(const RigClient& rig) {
  for (const auto& l : release_lines()) {
    INFO(l);
    REQUIRE(rig.rises_since_ready(l) == 0);
  }
}

bool has_session_of(const json& state, const std::string& shopper) {
  return !find_by(state.at("sessions"), "shopper", shopper).is_null();
}

TEST_CASE("a shopper with a valid token is admitted on lane 1, walks through and is reported", "[scenario]") {
  GateHarness gate;
  RigClient rig(gate);
  rig.connect_ready();

  rig.scan(1, gate.mint("shp_alice"));
  REQUIRE(rig.wait_level(kRelease1, true));
  REQUIRE(rig.wait_display(1, "admit 1"));
  rig.walk_in(1);
  REQUIRE(rig.wait_level(kRelease1, false));
  CHECK(rig.rises_since_ready(kRelease1) == 1);
  CHECK(rig.rises_since_ready(hw::line_name(2, LineRole::release_in)) == 0);

  json state;
  REQUIRE(gate.wait_for_tracking(
      [&state](const json& s) {
        state = s;
        return s.at("sessions").size() == 1 && s.at("passages").size() == 1;
      },
      kReactLimit));
  const json session = state.at("sessions").at(0);
  CHECK(session.at("shopper") == "shp_alice");
  CHECK(session.at("lane") == 1);
  CHECK(session.at("group_size") == 1);
  CHECK(session.at("state") == "open");
  const json passage = state.at("passages").at(0);
  CHECK(passage.at("kind") == "admitted");
  CHECK(passage.at("lane") == 1);
  CHECK(passage.at("direction") == "in");
  CHECK(passage.at("session_id") == session.at("session_id"));

  const json status = gate.gate_sessions();
  const json mine = find_by(status.at("sessions"), "session_id", session.at("session_id").get<std::string>());
  INFO(status.dump());
  REQUIRE_FALSE(mine.is_null());
  CHECK(mine.at("state") == "open");
  CHECK(mine.at("lane") == 1);  CHECK(rig.gate_errors().empty());
}

TEST_CASE("a forged token never releases any barrier", "[scenario]") {
  GateHarness gate;
  RigClient rig(gate);
  rig.connect_ready();

  rig.scan(1, gate.mint("shp_mallory", sim::TokenFlaw::forged));
  REQUIRE(rig.wait_display(1, "bad_signature"));
  // Another entry lane refuses it just the same.
  rig.scan(2, gate.mint("shp_bob", sim::TokenFlaw::forged));
  REQUIRE(rig.wait_display(2, "bad_signature"));
  require_nothing_released(rig);
  CHECK(gate.tracking_state().at("sessions").empty());
}

TEST_CASE("with the tracking engine down and offline policy deny, entry is refused", "[scenario]") {
  GateHarness gate(GateOptions{.offline_policy = "deny"});
  RigClient rig(gate);
  rig.connect_ready();
  gate.set_tracking_fault("unreachable");

  const std::string token = gate.mint("shp_carol");
  rig.scan(1, token);
  REQUIRE(rig.wait_display(1, "lane_unavailable"));
  require_nothing_released(rig);
  CHECK_FALSE(has_session_of(gate.tracking_state(), "shp_carol"));  // the control port works during the fault

  // The refused token was not used up: once the engine is back it admits. The shopper
  // scans again after the scanner's repeat window (io.scan_repeat_window_ms, 2 s by
  // default): the same code read again within it counts once.
  gate.set_tracking_fault("none");
  gate.run_for(2100ms);
  rig.scan(1, token);
  REQUIRE(rig.wait_level(kRelease1, true));
  CHECK(has_session_of(gate.tracking_state(), "shp_carol"));
}

TEST_CASE("with the tracking engine down and offline policy admit, the session is reported once it is back",
          "[scenario]") {
  GateHarness gate(GateOptions{.offline_policy = "admit"});
  RigClient rig(gate);
  rig.connect_ready();
  gate.set_tracking_fault("unreachable");

  rig.scan(1, gate.mint("shp_dave"));
  REQUIRE(rig.wait_level(kRelease1, true));
  REQUIRE(rig.wait_display(1, "admit 1"));
  const json status = gate.gate_sessions();
  INFO(status.dump());
  REQUIRE(status.at("sessions").size() == 1);
  CHECK(status.at("sessions").at(0).at("state") == "open_offline");
  CHECK(status.at("sessions").at(0).at("offline") == true);
  rig.walk_in(1);
  REQUIRE(rig.wait_level(kRelease1, false));

  gate.set_tracking_fault("none");
  // The outbox retries with backoff (0.5 s, 1 s, 2 s, ...): allow for several rounds.
  json state;
  REQUIRE(gate.wait_for_tracking(
      [&state](const json& s) {
        state = s;
        return has_session_of(s, "shp_dave") && s.at("passages").size() == 1;
      },
      30s));
  const json session = find_by(state.at("sessions"), "shopper", "shp_dave");
  CHECK(session.at("lane") == 1);
  CHECK(session.at("session_id") == status.at("sessions").at(0).at("session_id"));
  CHECK(state.at("passages").at(0).at("kind") == "admitted");
  CHECK(state.at("passages").at(0).at("session_id") == session.at("session_id"));
}

}  // namespace
}  // namespace passgate::scenario
