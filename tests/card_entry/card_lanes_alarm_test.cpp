// CardLanes (controller/card_entry/card_lanes.hpp) and the fire alarm, over a real Gate on a
// FakeIoBackend: card entry pauses only after every release write the backend still has queued
// for later loop turns (a slow expander's, one per turn; a failed write's retries), never ahead
// of one of them, even when a beam change had already started its timer before the alarm.
#include <catch2/catch.hpp>

#include <memory>

#include "controller/card_entry/card_lanes.hpp"
#include "hw/fake_io_backend.hpp"
#include "hw/gate_lines.hpp"
#include "tests/card_entry/card_entry_fixture.hpp"
#include "tests/lanes/lane_fakes.hpp"

using namespace passgate;
using namespace passgate::test;

namespace {

controller::GateConfig card_lane_gate() {
  controller::GateConfig config;
  config.store_id = "store-1";
  config.gate_id = "gate-a";
  auto lane = lane_config(1, controller::LaneKind::entry);
  lane.terminal_reader = "tmr_lane1";
  config.lanes = {lane, lane_config(2, controller::LaneKind::exit)};
  config.payments.currency = "eur";
  config.terminal.hold_amount_minor = 3000;
  return config;
}

struct CardLanesOnGate {
  CardLanesOnGate() {
    io.set_input_lines(hw::gate_lines({1}, {2}).inputs);
    auto made = controller::CardLanes::create(
        config, controller::CardLaneParts{&f.terminal, *f.attempts, *f.blocklist, f.c.sealer, f.vt, f.vt}, gate);
    REQUIRE(made.ok());
    lanes = std::move(*made);
    io.input("fire_alarm", false);
    lanes->start();
    f.run();
    REQUIRE(lanes->status(1)->enabled);
  }

  CardEntryFixture f;
  controller::GateConfig config = card_lane_gate();
  hw::FakeIoBackend io{f.vt};
  ScriptedAdmission admission{f.vt};
  RecordedReports reports;
  controller::Gate gate{config, io, f.vt, f.vt, admission, reports};
  std::unique_ptr<controller::CardLanes> lanes;
};

}  // namespace

TEST_CASE("card lanes pause for the fire alarm only once the backend's queued release writes have all run") {
  CardLanesOnGate g;
  // Someone steps into the lane just before the alarm: that beam change starts card entry's
  // timer first, ahead of anything the alarm queues.
  g.io.input("lane1.beam_outer", true);
  g.io.set_releases_pending(true);  // a slow chip's releases still to be written, turn by turn
  g.io.input("fire_alarm", true);
  g.f.vt.advance(Millis{200});  // turn after turn of the loop, card entry waiting behind them
  CHECK(g.lanes->status(1)->enabled);  // nothing of card entry has run: no commit, no call
  CHECK(g.f.terminal.posts_of(TerminalStep::cancel_action) == 0);

  g.io.set_releases_pending(false);  // the last release turn has run
  g.f.run();
  const auto status = g.lanes->status(1);
  CHECK_FALSE(status->enabled);
  CHECK(status->reason == "fire_alarm");

  g.io.input("lane1.beam_outer", false);
  g.io.input("fire_alarm", false);
  g.f.run();
  CHECK(g.lanes->status(1)->enabled);  // on again once the alarm is clear and the lane empty
  g.lanes->stop();
}
