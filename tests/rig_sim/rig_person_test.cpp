// The rig's people and lanes in virtual time, against recorded wires and a gate view the
// test sets by hand.
#include <catch2/catch.hpp>

#include <optional>

#include "common/virtual_time.hpp"
#include "tests/rig_sim/rig_fakes.hpp"
#include "tools/sim/rig/person.hpp"
#include "tools/sim/rig/scaled_timers.hpp"

namespace passgate::sim {
namespace {

using test::LineChange;
using test::RecordingWires;

struct LaneRig {
  VirtualTime time;
  RecordingWires wires{time};
  Conditions conditions{time};
  GateView gate{conditions};
  RigLaneModel lane{1, wires, time};

  // Walks one person and returns their outcome once done (advancing virtual time up to 10 s).
  std::optional<WalkOutcome> walk(Walk w) {
    std::optional<WalkOutcome> outcome;
    RigPerson person(lane, gate, time, w, [&](WalkOutcome o) { outcome = o; });
    person.start();
    for (int i = 0; i < 1000 && !outcome; ++i) time.advance(Millis{10});
    return outcome;
  }
};

constexpr Walk kEnter{Direction::entering, AtBarrier::wait, Millis{1000}, Millis{100}};

TEST_CASE("an entering person through a released barrier blocks outer, both, inner, then clears", "[rig_person]") {
  LaneRig rig;
  rig.gate.on_output("lane1.release_in", true);
  const auto outcome = rig.walk(kEnter);
  REQUIRE(outcome);
  CHECK(outcome->result == WalkResult::passed);
  CHECK(outcome->released);
  CHECK(rig.wires.changes == std::vector<LineChange>{{100, "lane1.beam_outer", true},
                                                     {450, "lane1.beam_inner", true},
                                                     {800, "lane1.beam_outer", false},
                                                     {1100, "lane1.beam_inner", false}});
}

TEST_CASE("a leaving person is the mirror image and waits for release_out", "[rig_person]") {
  LaneRig rig;
  rig.gate.on_output("lane1.release_in", true);  // the wrong direction: no use to them
  const auto opens = rig.time.start(Millis{700}, [&] { rig.gate.on_output("lane1.release_out", true); });
  const auto outcome = rig.walk(Walk{Direction::leaving, AtBarrier::wait, Millis{1000}, Millis{100}});
  REQUIRE(outcome);
  CHECK(outcome->result == WalkResult::passed);
  CHECK(rig.wires.sequence() ==
        "lane1.beam_inner=1 lane1.beam_outer=1 lane1.beam_inner=0 lane1.beam_outer=0");
  // Reached the barrier at 450 ms, went through when it was released at 700 ms.
  CHECK(rig.wires.changes[1].at_ms == 700);
  CHECK(rig.wires.changes[3].at_ms == 700 + 650);
}

TEST_CASE("a person facing a locked barrier waits for their patience, then backs out", "[rig_person]") {
  LaneRig rig;
  const auto outcome = rig.walk(kEnter);
  REQUIRE(outcome);
  CHECK(outcome->result == WalkResult::backed_out);
  CHECK_FALSE(outcome->released);
  CHECK(rig.wires.changes == std::vector<LineChange>{{100, "lane1.beam_outer", true},
                                                     {450 + kPatience.count(), "lane1.beam_outer", false}});
}

TEST_CASE("a forcer pushes through a locked barrier", "[rig_person]") {
  LaneRig rig;
  const auto outcome = rig.walk(Walk{Direction::entering, AtBarrier::force, Millis{800}, Millis{0}});
  REQUIRE(outcome);
  CHECK(outcome->result == WalkResult::passed);
  CHECK_FALSE(outcome->released);
  CHECK(rig.wires.sequence() ==
        "lane1.beam_outer=1 lane1.beam_inner=1 lane1.beam_outer=0 lane1.beam_inner=0");
  CHECK(rig.wires.changes.back().at_ms == 800);
}

TEST_CASE("a person who turns back leans into the barrier and backs out: no passage", "[rig_person]") {
  LaneRig rig;
  rig.gate.on_output("lane1.release_in", true);
  const auto outcome = rig.walk(Walk{Direction::entering, AtBarrier::turn_back, Millis{1000}, Millis{0}});
  REQUIRE(outcome);
  CHECK(outcome->result == WalkResult::backed_out);
  CHECK(rig.wires.sequence() ==
        "lane1.beam_outer=1 lane1.beam_inner=1 lane1.beam_inner=0 lane1.beam_outer=0");
}

TEST_CASE("people in a lane take turns: the next steps in only after the lane cleared and a gap", "[rig_person]") {
  LaneRig rig;
  rig.gate.on_output("lane1.release_in", true);
  int done = 0;
  RigPerson first(rig.lane, rig.gate, rig.time, Walk{Direction::entering, AtBarrier::wait, Millis{600}, Millis{0}},
                  [&](WalkOutcome) { ++done; });
  RigPerson second(rig.lane, rig.gate, rig.time, Walk{Direction::entering, AtBarrier::wait, Millis{600}, Millis{300}},
                   [&](WalkOutcome) { ++done; });
  first.start();
  second.start();
  rig.time.advance(Millis{5000});
  CHECK(done == 2);
  REQUIRE(rig.wires.changes.size() == 8);
  CHECK(rig.wires.changes[3] == LineChange{600, "lane1.beam_inner", false});
  CHECK(rig.wires.changes[4] == LineChange{900, "lane1.beam_outer", true});
}

TEST_CASE("a lane sends a beam level only when it changes", "[rig_person]") {
  LaneRig rig;
  rig.lane.set_beam(Beam::outer, false);
  rig.lane.set_beam(Beam::outer, true);
  rig.lane.set_beam(Beam::outer, true);
  CHECK(rig.wires.sequence() == "lane1.beam_outer=1");
  rig.lane.send_levels();
  CHECK(rig.wires.sequence() == "lane1.beam_outer=1 lane1.beam_outer=1 lane1.beam_inner=0");
}

TEST_CASE("conditions call back when a predicate holds, or time out, and can be cancelled", "[rig_conditions]") {
  VirtualTime time;
  Conditions conditions(time);
  bool flag = false;
  std::vector<std::string> calls;
  auto held = conditions.within(time, Millis{100}, [&] { return flag; }, [&](bool ok) { calls.push_back(ok ? "held" : "timeout"); });
  auto timed_out = conditions.within(time, Millis{50}, [] { return false; }, [&](bool ok) { calls.push_back(ok ? "held" : "timeout"); });
  auto cancelled = conditions.when([&] { return flag; }, [&] { calls.push_back("cancelled one ran"); });
  cancelled.reset();
  time.advance(Millis{60});
  flag = true;
  conditions.notify();
  time.advance(Millis{100});
  CHECK(calls == std::vector<std::string>{"timeout", "held"});

  auto already = conditions.when([] { return true; }, [&] { calls.push_back("already"); });
  CHECK(calls.size() == 2);  // never inside the registering call
  time.run_ready();
  CHECK(calls.back() == "already");
}

}  // namespace
}  // namespace passgate::sim

namespace passgate::sim {
namespace {

TEST_CASE("scaled timers run the rig's nominal delays time-scale times as long", "[rig_time]") {
  VirtualTime time;
  ScaledTimers fast(time, 0.3);
  bool fired = false;
  const auto timer = fast.start(Millis{1000}, [&] { fired = true; });
  time.advance(Millis{299});
  CHECK_FALSE(fired);
  time.advance(Millis{1});
  CHECK(fired);
  CHECK(fast.nominal(Millis{300}) == Millis{1000});
}

}  // namespace
}  // namespace passgate::sim
