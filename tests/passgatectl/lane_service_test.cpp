// passgatectl lane N out-of-service|in-service against the real gate (entry lane 1, exit
// lane 2): what each kind of lane does out of service, said truthfully; a lane already in the
// state asked for is told so; a lane the gate lacks is answered with the lanes it has; --json
// for the change, hw pulse and reload, and errors still on standard error with --json.
#include <catch2/catch.hpp>

#include "tests/passgatectl/ctl_fixture.hpp"
#include "tests/passgatectl/raw_control.hpp"

using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;
using nlohmann::json;
using passgate::test::CtlFixture;
using passgate::test::kGateLimit;

TEST_CASE("an exit lane out of service stays released for leaving, it refuses no scans") {
  CtlFixture gate;
  gate.start_gate();
  const auto out = gate.ctl({"lane", "2", "out-of-service", "--reason", "barrier repair"});
  CHECK(out.exit_code == 0);
  CHECK(out.output == "exit lane 2 is out of service: its barrier stays released for leaving (egress stays free) and "
                      "it shows red; leaving is still reported, coming in through it is a wrong_way alarm\n");
  const auto entry = gate.ctl({"lane", "1", "out-of-service"});
  CHECK(entry.exit_code == 0);
  CHECK(entry.output == "entry lane 1 is out of service: scans are refused (lane_unavailable on its display), it shows "
                        "red, and its barrier stays free for leaving (egress stays free)\n");
  const auto back = gate.ctl({"lane", "2", "in-service"});
  CHECK(back.exit_code == 0);
  CHECK(back.output == "exit lane 2 is back in service: it returns to normal once its beams are clear\n");
}

TEST_CASE("a lane already in the state asked for is told so, and nothing is sent") {
  CtlFixture gate;
  gate.start_gate();
  REQUIRE(gate.ctl({"lane", "2", "out-of-service"}).exit_code == 0);
  REQUIRE(gate.gated().wait_for_output("event=lane_service ", kGateLimit));
  const auto again = gate.ctl({"lane", "2", "out-of-service"});
  CHECK(again.exit_code == 0);
  CHECK(again.output == "lane 2 is already out of service; nothing changed\n");
  const auto in = gate.ctl({"lane", "1", "in-service"});
  CHECK(in.exit_code == 0);
  CHECK(in.output == "lane 1 is already in service; nothing changed\n");
  const json as_json = json::parse(gate.ctl({"--json", "lane", "2", "out-of-service"}).output);
  CHECK(as_json.at("changed") == false);
  CHECK(as_json.at("lane").at("in_service") == false);
  // A later change is logged after any earlier one: only the first and this one are there.
  REQUIRE(gate.ctl({"lane", "2", "in-service"}).exit_code == 0);
  REQUIRE(gate.gated().wait_for_output("event=lane_service lane=2 in_service=true", kGateLimit));
  const std::string log = gate.gated().output();
  std::size_t logged = 0;
  for (auto at = log.find("event=lane_service "); at != std::string::npos; at = log.find("event=lane_service ", at + 1)) {
    ++logged;
  }
  CHECK(logged == 2);
}

TEST_CASE("a lane the gate does not have is answered with the lanes it has, exit 1") {
  CtlFixture gate;
  gate.start_gate();
  for (const bool as_json : {false, true}) {
    std::vector<std::string> args{"lane", "9", "out-of-service"};
    if (as_json) args.push_back("--json");
    const auto run = gate.ctl(args);
    CHECK(run.exit_code == 1);
    CHECK(run.output == "passgatectl: lane 9 is not configured on this gate; its lanes: 1 (entry), 2 (exit)\n");
  }
}

TEST_CASE("passgatectl --json on the lane actions, hw pulse and reload prints what the gate answered") {
  CtlFixture gate;
  gate.start_gate();
  // The rig reports the fire alarm clear (until then it counts as active, and no output may be driven).
  passgate::test::RawControl rig(gate.dir() / "rig.sock");
  rig.send(R"({"t":"in","line":"fire_alarm","v":0})" "\n");
  REQUIRE(gate.gated().wait_for_output("event=fire_alarm_cleared", kGateLimit));
  const auto out = gate.ctl({"lane", "2", "out-of-service", "--json"});
  REQUIRE(out.exit_code == 0);
  const json changed = json::parse(out.output);
  CHECK(changed.at("changed") == true);
  CHECK(changed.at("lane").at("lane") == 2);
  CHECK(changed.at("lane").at("in_service") == false);
  const auto pulse = gate.ctl({"hw", "pulse", "lane2.buzzer", "50", "--json"});
  INFO(pulse.output);
  CHECK(pulse.exit_code == 0);
  CHECK(json::parse(pulse.output) == json{{"line", "lane2.buzzer"}, {"ms", 50}});
  // Refused by the gate (lane 1 is in service): the message on standard error, exit 1, also with --json.
  const auto refused = gate.ctl({"hw", "pulse", "lane1.buzzer", "50", "--json"});
  CHECK(refused.exit_code == 1);
  CHECK_THAT(refused.output, StartsWith("passgatectl: ") && Contains("out-of-service"));
  const auto reload = gate.ctl({"reload", "--json"});
  CHECK(reload.exit_code == 0);
  CHECK(json::parse(reload.output).at("reloaded") == true);
}
