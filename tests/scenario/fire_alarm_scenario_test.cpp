// Scenario tests of safety: a fire alarm, or losing the rig (the alarm loop), frees every
// lane in both directions until the alarm clears.
#include <catch2/catch.hpp>

#include <string>

#include "hw/line_names.hpp"
#include "tests/scenario/gate_harness.hpp"
#include "tests/scenario/rig_client.hpp"

namespace passgate::scenario {
namespace {

using hw::LineRole;

// How often passgated has logged `text` so far.
std::size_t count_in_log(GateHarness& gate, const std::string& text) {
  const std::string log = gate.gated().output();
  std::size_t n = 0;
  for (auto at = log.find(text); at != std::string::npos; at = log.find(text, at + text.size())) ++n;
  return n;
}

TEST_CASE("a fire alarm frees every lane both ways and refuses entries until it clears", "[scenario]") {
  GateHarness gate;
  RigClient rig(gate);
  rig.connect_ready();

  // Normal operation first: one shopper admitted and through.
  const auto release1 = hw::line_name(1, LineRole::release_in);
  rig.scan(1, gate.mint("shp_erin"));
  REQUIRE(rig.wait_level(release1, true));
  rig.walk_in(1);
  REQUIRE(rig.wait_level(release1, false));

  rig.set("fire_alarm", true);
  REQUIRE(rig.wait_all_releases(true));
  for (const auto& l : release_lines()) {
    INFO(l);
    CHECK(rig.view().active(l));
  }
  rig.scan(2, gate.mint("shp_frank"));
  REQUIRE(rig.wait_display(2, "lane_unavailable"));
  CHECK(rig.wait_all_releases(true, 0ms));  // still free: the refusal closed nothing

  rig.set("fire_alarm", false);
  REQUIRE(rig.wait_all_releases(false));
  CHECK(gate.tracking_state().at("sessions").size() == 1);  // only shp_erin's
}

TEST_CASE("losing the rig frees every lane until a rig reports the alarm loop clear", "[scenario]") {
  GateHarness gate;
  const std::string disconnected = "event=rig_disconnected";
  const std::string alarm = "event=fire_alarm_raised";
  std::size_t alarms_before = 0;
  {
    RigClient first(gate);
    first.connect_ready();
    alarms_before = count_in_log(gate, alarm);
    first.close();
  }
  // The gate noticed the rig is gone and raised the alarm before a new rig connects.
  REQUIRE(gate.gated().wait_for_output(disconnected, kReactLimit));
  REQUIRE(gate.poll_until([&] { return count_in_log(gate, alarm) > alarms_before; }));

  RigClient second(gate);
  second.connect();
  for (const auto& l : release_lines()) {
    INFO(l);
    CHECK(second.view().output(l) == true);
    CHECK(second.view().rises(l) == 1);  // reported free from the first message on
  }
  second.clear_inputs();  // fire_alarm 0: every release line back to 0
  REQUIRE(second.wait_all_releases(false));
}

}  // namespace
}  // namespace passgate::scenario
