// Scenario tests of close tailgaters (issue 14, defect 2): the real passgated driven beam by
// beam through the rig. People close behind each other, the follower at the outer beam
// before the one ahead cleared the inner one (the lane never clear between them), are each
// a passage: as many as the grant allows are admitted, the next one is a tailgater.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "hw/line_names.hpp"
#include "tests/scenario/gate_harness.hpp"
#include "tests/scenario/rig_client.hpp"

namespace passgate::scenario {
namespace {

using hw::LineRole;
using nlohmann::json;

const std::string kOuter = hw::line_name(1, LineRole::beam_outer);
const std::string kInner = hw::line_name(1, LineRole::beam_inner);

// Two people through lane 1 in one excursion: the second blocks the outer beam while the
// first is still in the inner one.
void close_pair_walks_in(RigClient& rig) {
  rig.hold(kOuter, true);  // the first
  rig.hold(kInner, true);
  rig.hold(kOuter, false);
  rig.hold(kOuter, true);  // the second, the first still in the inner beam
  rig.hold(kInner, false);
  rig.hold(kInner, true);
  rig.hold(kOuter, false);
  rig.hold(kInner, false);
}

// A token for `shopper` for a group of `people`.
std::string group_token(const GateHarness& gate, const std::string& shopper, int people) {
  sim::TokenSpec spec = gate.spec_for(shopper);
  spec.group = people;
  return sim::mint_token(gate.issuer_key(), spec);
}

// The tracking engine's passages once it has `count` of them (or after kReactLimit), read
// again a moment later so that one too many shows.
json passages_once(GateHarness& gate, std::size_t count) {
  const bool arrived =
      gate.wait_for_tracking([count](const json& s) { return s.at("passages").size() >= count; }, kReactLimit);
  gate.run_for(500ms);
  const json passages = gate.tracking_state().at("passages");
  INFO(passages.dump());
  CHECK(arrived);
  return passages;
}

std::vector<std::string> kinds(const json& passages) {
  std::vector<std::string> k;
  for (const auto& p : passages) k.push_back(p.at("kind").get<std::string>());
  return k;
}

// How often passgated has logged `text` so far.
std::size_t count_in_log(GateHarness& gate, const std::string& text) {
  const std::string log = gate.gated().output();
  std::size_t n = 0;
  for (auto at = log.find(text); at != std::string::npos; at = log.find(text, at + text.size())) ++n;
  return n;
}

const std::string kTailgateAlarm = "event=alarm_raised lane=1 alarm=tailgate";

TEST_CASE("a grant for 1 and a close tailgater: one admitted passage and one tailgate", "[scenario]") {
  GateHarness gate;
  RigClient rig(gate);
  rig.connect_ready();

  rig.scan(1, gate.mint("shp_alice"));
  REQUIRE(rig.wait_level(kRelease1, true));
  REQUIRE(rig.wait_display(1, "admit 1"));
  close_pair_walks_in(rig);
  REQUIRE(rig.wait_level(kRelease1, false));
  CHECK(rig.rises_since_ready(kRelease1) == 1);

  const json passages = passages_once(gate, 2);
  REQUIRE(kinds(passages) == std::vector<std::string>{"admitted", "tailgate"});
  const json session = gate.tracking_state().at("sessions").at(0);
  for (const auto& p : passages) {
    CHECK(p.at("lane") == 1);
    CHECK(p.at("direction") == "in");
    CHECK(p.at("session_id") == session.at("session_id"));  // the tailgater is reported against alice's session
  }
  CHECK(count_in_log(gate, kTailgateAlarm) == 1);
  CHECK(rig.gate_errors().empty());
}

TEST_CASE("a grant for 2, a close pair and one more: two admitted passages and one tailgate", "[scenario]") {
  GateHarness gate;
  RigClient rig(gate);
  rig.connect_ready();

  rig.scan(1, group_token(gate, "shp_bob", 2));
  REQUIRE(rig.wait_level(kRelease1, true));
  REQUIRE(rig.wait_display(1, "admit 2"));
  close_pair_walks_in(rig);
  CHECK(rig.wait_level(kRelease1, false, kBeamHold));  // both places used: the barrier closes at once
  rig.walk_in(1);                                      // one more, right behind
  REQUIRE(rig.wait_level(kRelease1, false));

  const json passages = passages_once(gate, 3);
  REQUIRE(kinds(passages) == std::vector<std::string>{"admitted", "admitted", "tailgate"});
  const json session = gate.tracking_state().at("sessions").at(0);
  CHECK(session.at("group_size") == 2);
  for (const auto& p : passages) CHECK(p.at("session_id") == session.at("session_id"));
  CHECK(rig.rises_since_ready(kRelease1) == 1);
  CHECK(count_in_log(gate, kTailgateAlarm) == 1);
  CHECK(rig.gate_errors().empty());
}

}  // namespace
}  // namespace passgate::scenario
