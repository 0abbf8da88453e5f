// LaneInputs: raw beam levels by line name, in virtual time, become debounced beams,
// passages and fire-alarm changes for the right lane.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "common/virtual_time.hpp"
#include "hw/lane_inputs.hpp"

using namespace std::chrono_literals;
using passgate::Millis;
using passgate::hw::LaneInputs;
using passgate::hw::Occupancy;
using passgate::hw::PassageDirection;
using Strings = std::vector<std::string>;

namespace {

struct Events final : passgate::hw::LaneInputsListener {
  Strings all;
  void on_passage(int lane, PassageDirection d) override {
    all.push_back("lane" + std::to_string(lane) + " passage " + std::string(to_string(d)));
  }
  void on_beams(int lane, Occupancy o) override {
    all.push_back("lane" + std::to_string(lane) + " " + std::string(to_string(o)));
  }
  void on_passage_sensor(int lane) override { all.push_back("lane" + std::to_string(lane) + " sensor"); }
  void on_fire_alarm(bool active) override { all.push_back(active ? "alarm" : "alarm cleared"); }

  [[nodiscard]] Strings passages() const {
    Strings p;
    for (const auto& e : all) {
      if (e.find("passage") != std::string::npos) p.push_back(e);
    }
    return p;
  }
};

// One raw input change, `after` the previous one.
struct Raw {
  Millis after;
  std::string line;
  bool active;
};

struct Gate {
  passgate::VirtualTime vt;
  Events events;
  LaneInputs inputs{vt, 10ms, events};

  Gate() {
    inputs.add_lane(1);
    inputs.add_lane(2);
  }
  void play(const std::vector<Raw>& script) {
    for (const auto& step : script) {
      vt.advance(step.after);
      REQUIRE(inputs.on_input(step.line, step.active).ok());
    }
    vt.advance(1s);
  }
};

const std::string kOuter1 = "lane1.beam_outer";
const std::string kInner1 = "lane1.beam_inner";

}  // namespace

TEST_CASE("a clean entry is one passage in for that lane") {
  Gate g;
  g.play({{0ms, kOuter1, true}, {200ms, kInner1, true}, {200ms, kOuter1, false}, {200ms, kInner1, false}});
  CHECK(g.events.all == Strings{"lane1 outer", "lane1 both", "lane1 inner", "lane1 passage in", "lane1 none"});
  CHECK(g.inputs.occupancy(1) == Occupancy::none);
}

TEST_CASE("a clean exit is one passage out") {
  Gate g;
  g.play({{0ms, "lane2.beam_inner", true},
          {150ms, "lane2.beam_outer", true},
          {150ms, "lane2.beam_inner", false},
          {150ms, "lane2.beam_outer", false}});
  CHECK(g.events.passages() == Strings{"lane2 passage out"});
}

TEST_CASE("bouncing beams while someone passes give exactly one passage") {
  Gate g;
  g.play({
      {0ms, kOuter1, true}, {3ms, kOuter1, false}, {3ms, kOuter1, true},  // outer bounces on
      {200ms, kInner1, true}, {2ms, kInner1, false}, {2ms, kInner1, true},
      {100ms, kOuter1, false}, {4ms, kOuter1, true}, {4ms, kOuter1, false},  // bounces off
      {200ms, kInner1, false}, {5ms, kInner1, true}, {5ms, kInner1, false},
  });
  CHECK(g.events.all == Strings{"lane1 outer", "lane1 both", "lane1 inner", "lane1 passage in", "lane1 none"});
}

TEST_CASE("a flickering beam with nobody in the lane gives nothing") {
  Gate g;
  std::vector<Raw> flicker;
  for (int i = 0; i < 50; ++i) flicker.push_back({3ms, kInner1, i % 2 == 0});
  g.play(flicker);
  CHECK(g.events.all.empty());
}

TEST_CASE("someone who backs out makes no passage") {
  Gate g;
  g.play({{0ms, kOuter1, true}, {200ms, kInner1, true}, {200ms, kInner1, false}, {200ms, kOuter1, false}});
  CHECK(g.events.passages().empty());
  CHECK(g.events.all.back() == "lane1 none");
}

TEST_CASE("oscillating inside the lane is one passage") {
  Gate g;
  g.play({{0ms, kOuter1, true},
          {200ms, kInner1, true},
          {200ms, kOuter1, false},
          {200ms, kOuter1, true},
          {200ms, kOuter1, false},
          {200ms, kInner1, false}});
  CHECK(g.events.passages() == Strings{"lane1 passage in"});
}

TEST_CASE("a second person following closely is a second passage") {
  Gate g;
  const std::vector<Raw> person{
      {0ms, kOuter1, true}, {150ms, kInner1, true}, {150ms, kOuter1, false}, {150ms, kInner1, false}};
  std::vector<Raw> two = person;
  two.insert(two.end(), person.begin(), person.end());
  two[4].after = 30ms;  // the second one blocks the outer beam 30 ms after the first cleared
  g.play(two);
  CHECK(g.events.passages() == Strings{"lane1 passage in", "lane1 passage in"});
}

// Issue 14: people close behind each other in one excursion (the lane never clear between
// them), at walking pace; the debounce time is 10 ms.

TEST_CASE("a close tailgater, at the outer beam before the first person cleared the inner one, is a second passage") {
  Gate g;
  g.play({{0ms, kOuter1, true},     // the first person
          {200ms, kInner1, true},
          {200ms, kOuter1, false},  // ... past the outer beam
          {120ms, kOuter1, true},   // the tailgater, while the first is in the inner beam
          {150ms, kInner1, false},  // the first one gone in
          {150ms, kInner1, true},
          {200ms, kOuter1, false},
          {200ms, kInner1, false}});
  CHECK(g.events.all == Strings{"lane1 outer", "lane1 both", "lane1 inner", "lane1 both", "lane1 outer", "lane1 both",
                                "lane1 inner", "lane1 passage in", "lane1 passage in", "lane1 none"});
}

TEST_CASE("three people close behind each other are three passages") {
  Gate g;
  std::vector<Raw> script{{0ms, kOuter1, true}, {200ms, kInner1, true}, {200ms, kOuter1, false}};
  for (int follower = 0; follower < 2; ++follower) {
    script.push_back({100ms, kOuter1, true});   // the next one steps into the outer beam
    script.push_back({100ms, kInner1, false});  // the one ahead leaves the inner beam
    script.push_back({100ms, kInner1, true});
    script.push_back({150ms, kOuter1, false});
  }
  script.push_back({200ms, kInner1, false});
  g.play(script);
  CHECK(g.events.passages() == Strings{"lane1 passage in", "lane1 passage in", "lane1 passage in"});
}

TEST_CASE("a trolley's basket flickering the beams faster than the debounce time is no body, a tailgater is") {
  Gate g;
  // A shopper pushing a trolley: the wire basket lets the beams through for 4 ms at a time.
  std::vector<Raw> script{{0ms, kOuter1, true}};
  for (int i = 0; i < 10; ++i) {
    script.push_back({16ms, kOuter1, false});
    script.push_back({4ms, kOuter1, true});
  }
  script.push_back({0ms, kInner1, true});
  for (int i = 0; i < 10; ++i) {
    script.push_back({16ms, kInner1, false});
    script.push_back({4ms, kInner1, true});
  }
  script.push_back({100ms, kOuter1, false});  // the shopper past the outer beam
  script.push_back({150ms, kOuter1, true});   // the tailgater
  script.push_back({150ms, kInner1, false});  // the shopper and trolley gone in
  script.push_back({150ms, kInner1, true});
  script.push_back({200ms, kOuter1, false});
  script.push_back({200ms, kInner1, false});
  g.play(script);
  CHECK(g.events.passages() == Strings{"lane1 passage in", "lane1 passage in"});
}

TEST_CASE("a child's hand swinging through the outer beam is no body, the child walking through behind is") {
  Gate g;
  g.play({{0ms, kOuter1, true},  // the parent
          {200ms, kInner1, true},
          {200ms, kOuter1, false},
          {100ms, kOuter1, true},    // the child's hand, 6 ms: shorter than the debounce time
          {6ms, kOuter1, false},
          {94ms, kOuter1, true},     // the child, at the outer beam before the parent is through
          {80ms, kInner1, false},    // the parent gone in
          {60ms, kInner1, true},     // a small body: each beam blocked for a short time
          {60ms, kOuter1, false},
          {60ms, kInner1, false}});
  CHECK(g.events.passages() == Strings{"lane1 passage in", "lane1 passage in"});
}

TEST_CASE("the passage sensor counts people glued together whom the beams see as one body") {
  Gate g;
  const std::string sensor = "lane1.passage";
  g.play({{0ms, kOuter1, true},
          {200ms, kInner1, true},
          {50ms, sensor, true},  // the first one through the barrier
          {50ms, sensor, false},
          {100ms, sensor, true},  // the second one, right behind
          {50ms, sensor, false},
          {100ms, kOuter1, false},
          {200ms, kInner1, false},
          {200ms, sensor, true},  // a pulse with the lane clear counts nothing
          {50ms, sensor, false}});
  CHECK(g.events.all == Strings{"lane1 outer", "lane1 both", "lane1 sensor", "lane1 sensor", "lane1 inner",
                                "lane1 passage in", "lane1 passage in", "lane1 none", "lane1 sensor"});
}

TEST_CASE("lanes are independent") {
  Gate g;
  g.play({{0ms, kOuter1, true},
          {10ms, "lane2.beam_inner", true},
          {190ms, kInner1, true},
          {10ms, "lane2.beam_outer", true},
          {190ms, kOuter1, false},
          {10ms, "lane2.beam_inner", false},
          {190ms, kInner1, false},
          {10ms, "lane2.beam_outer", false}});
  CHECK(g.events.passages() == Strings{"lane1 passage in", "lane2 passage out"});
}

TEST_CASE("the fire alarm starts active and clears only when reported inactive and stable") {
  Gate g;
  CHECK(g.inputs.fire_alarm_active());
  g.play({{0ms, "fire_alarm", false}, {5ms, "fire_alarm", true}});  // a glitch is not a clear
  CHECK(g.events.all.empty());
  CHECK(g.inputs.fire_alarm_active());
  g.play({{0ms, "fire_alarm", false}});
  CHECK(g.events.all == Strings{"alarm cleared"});
  CHECK_FALSE(g.inputs.fire_alarm_active());
  g.play({{0ms, "fire_alarm", true}});
  CHECK(g.events.all == Strings{"alarm cleared", "alarm"});
}

TEST_CASE("a fire alarm counts at once, and a loop chattering faster than the debounce time is an alarm") {
  Gate g;
  g.play({{0ms, "fire_alarm", false}});
  CHECK(g.events.all == Strings{"alarm cleared"});
  REQUIRE(g.inputs.on_input("fire_alarm", true).ok());
  CHECK(g.events.all == Strings{"alarm cleared", "alarm"});  // no debounce wait
  CHECK(g.inputs.fire_alarm_active());
  g.play({{0ms, "fire_alarm", false}});
  CHECK(g.events.all == Strings{"alarm cleared", "alarm", "alarm cleared"});

  std::vector<Raw> chatter;  // 4 ms per change, the debounce is 10 ms
  for (int i = 0; i < 20; ++i) chatter.push_back({4ms, "fire_alarm", i % 2 == 0});
  chatter.push_back({4ms, "fire_alarm", true});
  g.play(chatter);
  CHECK(g.events.all == Strings{"alarm cleared", "alarm", "alarm cleared", "alarm"});
  CHECK(g.inputs.fire_alarm_active());
}

TEST_CASE("the passage sensor reports each debounced pulse once") {
  Gate g;
  g.play({{0ms, "lane2.passage", true}, {50ms, "lane2.passage", false}, {50ms, "lane2.passage", true},
          {2ms, "lane2.passage", false}});  // the second one is too short to count
  CHECK(g.events.all == Strings{"lane2 sensor"});
}

TEST_CASE("inputs that are not configured are refused with a reason") {
  Gate g;
  const auto unknown_lane = g.inputs.on_input("lane3.beam_outer", true);
  REQUIRE_FALSE(unknown_lane.ok());
  CHECK(unknown_lane.error().code == "unknown_input");
  CHECK(unknown_lane.error().message == "input \"lane3.beam_outer\" belongs to lane 3, which is not configured");

  const auto output = g.inputs.on_input("lane1.release_in", true);
  REQUIRE_FALSE(output.ok());
  CHECK(output.error().message == "line \"lane1.release_in\" is an output, not an input");

  const auto garbage = g.inputs.on_input("door", true);
  REQUIRE_FALSE(garbage.ok());
  CHECK(garbage.error().message == "input \"door\" is not a line name (expected lane<N>.<role> or fire_alarm)");

  g.vt.advance(1s);
  CHECK(g.events.all.empty());
}

TEST_CASE("the debounced level of each input line can be read back") {
  Gate g;
  CHECK(g.inputs.level("fire_alarm") == true);  // unknown = alarm
  CHECK(g.inputs.level(kOuter1) == false);
  REQUIRE(g.inputs.on_input(kOuter1, true).ok());
  REQUIRE(g.inputs.on_input("fire_alarm", false).ok());
  CHECK(g.inputs.level(kOuter1) == false);  // not settled yet
  g.vt.advance(10ms);
  CHECK(g.inputs.level(kOuter1) == true);
  CHECK(g.inputs.level("fire_alarm") == false);
  CHECK(g.inputs.level("lane2.passage") == false);
  CHECK_FALSE(g.inputs.level("lane1.release_in").has_value());  // an output
  CHECK_FALSE(g.inputs.level("lane3.beam_outer").has_value());  // not registered
  CHECK_FALSE(g.inputs.level("nonsense").has_value());
}
