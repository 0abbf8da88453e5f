// Scenario tests of the control socket: passgatectl against the real passgated (sim rig in
// process, real tracking and gateway simulators). Status and sessions follow a shopper
// through a running store; a lane taken out of service refuses scans and keeps egress free;
// an installer's pulse is refused on a lane in service and drives the line on one out of
// service; the live views list inputs and scanners and never show an entry token.
#include <catch2/catch.hpp>

#include "hw/line_names.hpp"
#include "tests/scenario/gate_harness.hpp"
#include "tests/scenario/rig_client.hpp"

namespace passgate::scenario {
namespace {

using nlohmann::json;
using hw::LineRole;

json ctl_json(GateHarness& gate, std::vector<std::string> args) {
  args.push_back("--json");
  const auto result = gate.ctl(std::move(args));
  INFO(result.output);
  REQUIRE(result.status == 0);
  return json::parse(result.output);
}

TEST_CASE("passgatectl lanes shows every lane of the running gate", "[scenario]") {
  GateHarness gate;
  RigClient rig(gate);
  rig.connect_ready();
  const json lanes = ctl_json(gate, {"lanes"});
  CHECK(lanes.at("fire_alarm") == false);
  REQUIRE(lanes.at("lanes").size() == 3);
  const json lane1 = lanes.at("lanes").at(0);
  CHECK(lane1.at("lane") == 1);
  CHECK(lane1.at("kind") == "entry");
  CHECK(lane1.at("in_service") == true);
  CHECK(lane1.at("scanner").at("connected") == true);
  CHECK(lanes.at("lanes").at(2).at("kind") == "exit");
}

TEST_CASE("status and sessions follow a shopper through a running store", "[scenario]") {
  GateHarness gate(GateOptions{.hold_amount_minor = 5000});
  RigClient rig(gate);
  rig.connect_ready();
  rig.scan(1, gate.mint("shp_status"));
  REQUIRE(rig.wait_level(hw::line_name(1, LineRole::release_in), true));
  rig.walk_in(1);
  REQUIRE(rig.wait_level(hw::line_name(1, LineRole::release_in), false));

  // The hold went through the gateway; the tracking engine opened the session.
  const json status = ctl_json(gate, {"status"});
  INFO(status.dump());
  CHECK(status.at("fire_alarm") == false);
  CHECK(status.at("tracking").at("state") == "reachable");
  CHECK(status.at("gateway").at("state") == "reachable");
  CHECK(status.at("sessions_open") == 1);
  CHECK(status.at("lanes").size() == 3);
  CHECK(status.at("attention") == json::array());
  const auto table = gate.ctl({"status"});
  CHECK(table.output.rfind("OK: nothing needs attention\n", 0) == 0);

  const json open = ctl_json(gate, {"sessions"});
  REQUIRE(open.at("sessions").size() == 1);
  const json session = open.at("sessions").at(0);
  CHECK(session.at("lane") == 1);
  CHECK(session.at("state") == "open");
  CHECK(session.at("group_size") == 1);
  CHECK(session.at("ended") == false);

  // Once its cart is final and settled, the session has ended: no longer open.
  gate.finalize_cart(session.at("session_id").get<std::string>(), 1200);
  CHECK(gate.poll_until([&] { return ctl_json(gate, {"sessions"}).at("sessions").empty(); }));
  const json all = ctl_json(gate, {"sessions", "--all"});
  REQUIRE(all.at("sessions").size() == 1);
  CHECK(all.at("sessions").at(0).at("ended") == true);
}

TEST_CASE("a lane out of service refuses scans, keeps egress free and comes back", "[scenario]") {
  GateHarness gate;
  RigClient rig(gate);
  rig.connect_ready();
  const auto release_in = hw::line_name(1, LineRole::release_in);
  const auto release_out = hw::line_name(1, LineRole::release_out);

  const auto out = gate.ctl({"lane", "1", "out-of-service", "--reason", "barrier repair"});
  INFO(out.output);
  REQUIRE(out.status == 0);
  REQUIRE(rig.wait_level(release_out, true));
  rig.scan(1, gate.mint("shp_oos"));
  REQUIRE(rig.wait_display(1, "lane_unavailable"));
  CHECK(rig.rises_since_ready(release_in) == 0);
  CHECK(ctl_json(gate, {"lanes"}).at("lanes").at(0).at("in_service") == false);
  REQUIRE(gate.gated().wait_for_output("event=lane_service lane=1 in_service=false operator=", kReactLimit));

  REQUIRE(gate.ctl({"lane", "1", "in-service"}).status == 0);
  REQUIRE(rig.wait_level(release_out, false));
  rig.scan(1, gate.mint("shp_back"));
  CHECK(rig.wait_level(release_in, true));

  const auto unknown = gate.ctl({"lane", "9", "out-of-service"});
  CHECK(unknown.status != 0);
  CHECK(unknown.output.find("9") != std::string::npos);
}

TEST_CASE("hw pulse drives an output only on a lane out of service", "[scenario]") {
  GateHarness gate;
  RigClient rig(gate);
  rig.connect_ready();
  const auto buzzer = hw::line_name(2, LineRole::buzzer);

  const auto refused = gate.ctl({"hw", "pulse", buzzer, "200"});
  CHECK(refused.status != 0);
  CHECK(refused.output.find("out-of-service") != std::string::npos);
  CHECK(rig.rises_since_ready(buzzer) == 0);
  const auto not_output = gate.ctl({"hw", "pulse", hw::line_name(2, LineRole::beam_outer), "200"});
  CHECK(not_output.status != 0);

  REQUIRE(gate.ctl({"lane", "2", "out-of-service"}).status == 0);
  REQUIRE(gate.ctl({"hw", "pulse", buzzer, "200"}).status == 0);
  REQUIRE(rig.wait_level(buzzer, true));
  REQUIRE(rig.wait_level(buzzer, false));
  CHECK(rig.rises_since_ready(buzzer) >= 1);
}

TEST_CASE("hw inputs lists every input, and --watch shows changes as they happen", "[scenario]") {
  GateHarness gate;
  RigClient rig(gate);
  rig.connect_ready();
  const json inputs = ctl_json(gate, {"hw", "inputs"});
  CHECK(inputs.at("fire_alarm") == false);
  CHECK(find_by(inputs.at("inputs"), "line", "fire_alarm").at("level") == false);
  const json beam = find_by(inputs.at("inputs"), "line", hw::line_name(1, LineRole::beam_outer));
  REQUIRE_FALSE(beam.is_null());
  CHECK(beam.at("raw") == false);

  test::ChildProcess watch(PASSGATECTL, {"hw", "inputs", "--watch", "--json", "--config", gate.config_file().string()});
  REQUIRE(watch.wait_for_output("\"inputs\"", kReactLimit));
  rig.set(hw::line_name(3, LineRole::beam_inner), true);
  CHECK(gate.poll_until([&] { return watch.output().find("\"lane3.beam_inner\",\"raw\":true") != std::string::npos; }));
}

TEST_CASE("hw scanners lists the scanners and shows reads without tokens", "[scenario]") {
  GateHarness gate;
  RigClient rig(gate);
  rig.connect_ready();
  const json scanners = ctl_json(gate, {"hw", "scanners"});
  REQUIRE(scanners.at("scanners").size() == 2);
  CHECK(find_by(scanners.at("scanners"), "name", "lane1.entry").at("connected") == true);

  test::ChildProcess watch(PASSGATECTL,
                           {"hw", "scanners", "--watch", "--json", "--config", gate.config_file().string()});
  REQUIRE(watch.wait_for_output("\"scanners\"", kReactLimit));
  const std::string token = gate.mint("shp_watch");
  rig.scan(2, token);
  CHECK(gate.poll_until([&] { return watch.output().find("entry token (") != std::string::npos; }));
  rig.scan(2, "4006381333931");
  CHECK(gate.poll_until([&] { return watch.output().find("4006381333931") != std::string::npos; }));
  CHECK(watch.output().find(token.substr(0, 20)) == std::string::npos);
}

}  // namespace
}  // namespace passgate::scenario
