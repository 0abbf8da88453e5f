// PassageDetector with a passage sensor: its pulses (one per person through the barrier)
// are counted within an excursion, and the larger of that count and the beams' count of
// bodies is the number of passages.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "hw/passage_detector.hpp"

using passgate::hw::Occupancy;
using passgate::hw::PassageDetector;
using passgate::hw::PassageDirection;

namespace {

using O = Occupancy;
using Strings = std::vector<std::string>;

// A step of a script: an occupancy the beams reach, or a sensor pulse.
struct Step {
  Occupancy occupancy = O::none;
  bool pulse = false;
};
const Step kPulse{O::none, true};

struct Lane {
  std::vector<std::string> events;
  PassageDetector detector{{
      [this](PassageDirection d) { events.push_back("passage " + std::string(to_string(d))); },
      [this](Occupancy o) { events.push_back(std::string(to_string(o))); },
  }};

  void play(const std::vector<Step>& script) {
    for (const Step& s : script) {
      if (s.pulse) {
        detector.sensor_pulse();
        continue;
      }
      detector.set_outer(passgate::hw::outer_blocked(s.occupancy));
      detector.set_inner(passgate::hw::inner_blocked(s.occupancy));
    }
  }
  [[nodiscard]] Strings passages() const {
    Strings p;
    for (const auto& e : events) {
      if (e.starts_with("passage")) p.push_back(e);
    }
    return p;
  }
};

}  // namespace

// Speed gates publish such a pulse per person passed, e.g. the "Ack Count A/B" flags of the
// Gunnebo SpeedStile BP DS (its operation manual) and the PASS A/PASS B outputs of the PERCo
// ST-02 (its user manual); wired to laneN.passage they are counted here.
TEST_CASE("a group glued together, one body to the beams, is counted by the sensor's pulses") {
  Lane lane;
  lane.play({{O::outer}, {O::both}, kPulse, kPulse, {O::inner}, kPulse, {O::none}});
  CHECK(lane.events == Strings{"outer", "both", "inner", "passage in", "passage in", "passage in", "none"});
}

TEST_CASE("the beams' count stands when the sensor counts fewer") {
  Lane lane;
  lane.play({{O::outer}, {O::both}, kPulse, {O::inner}, {O::both}, {O::outer}, {O::both}, {O::inner}, {O::none}});
  CHECK(lane.passages() == Strings{"passage in", "passage in"});
}

TEST_CASE("pulses take the excursion's direction") {
  Lane lane;
  lane.play({{O::inner}, {O::both}, kPulse, kPulse, {O::outer}, {O::none}});
  CHECK(lane.passages() == Strings{"passage out", "passage out"});
}

TEST_CASE("a pulse counts even where the beams saw no passage") {
  Lane lane;
  // The beams say "backed out"; the barrier's sensor says someone went through.
  lane.play({{O::outer}, {O::both}, kPulse, {O::outer}, {O::none}});
  CHECK(lane.passages() == Strings{"passage in"});
}

TEST_CASE("pulses while the lane is clear count nothing, and each excursion counts afresh") {
  Lane lane;
  lane.play({kPulse, kPulse});
  CHECK(lane.events.empty());
  lane.play({{O::outer}, {O::both}, {O::inner}, kPulse, {O::none}, kPulse});
  lane.play({{O::outer}, {O::both}, {O::inner}, {O::none}});
  CHECK(lane.passages() == Strings{"passage in", "passage in"});
}
