// The exit lane in virtual time: free egress on the inner beam, exits reported.
#include <catch2/catch.hpp>

#include "controller/lanes/exit_lane.hpp"
#include "hw/fake_io_backend.hpp"
#include "tests/lanes/lane_fakes.hpp"

using namespace std::chrono_literals;
using passgate::controller::Direction;
using passgate::controller::PassageKind;

namespace {

struct ExitLaneFixture {
  passgate::VirtualTime vt;
  passgate::hw::FakeIoBackend io{vt};
  passgate::test::ScriptedAdmission admission{vt};
  passgate::test::RecordedReports reports;
  passgate::controller::LaneConfig config = passgate::test::lane_config(3, passgate::controller::LaneKind::exit);
  passgate::controller::ExitLane lane{config, {io, vt, vt, admission, reports}};

  bool release_out() const { return io.output("lane3.release_out"); }
  bool release_in() const { return io.output("lane3.release_in"); }
};

}  // namespace

TEST_CASE_METHOD(ExitLaneFixture, "someone at the inner beam gets free egress, reported as an exit") {
  CHECK_FALSE(release_out());
  lane.on_beams(false, true);
  CHECK(release_out());
  CHECK_FALSE(release_in());
  lane.on_beams(true, true);
  lane.on_beams(true, false);
  lane.on_passage(Direction::out);
  lane.on_beams(false, false);
  CHECK(release_out());  // held briefly for the next person
  vt.advance(passgate::controller::ExitLane::kClearHold);
  CHECK_FALSE(release_out());
  REQUIRE(reports.passages.size() == 1);
  CHECK(reports.passages[0].kind == PassageKind::exit);
  CHECK(reports.passages[0].direction == Direction::out);
}

TEST_CASE_METHOD(ExitLaneFixture, "the next person arriving during the hold keeps the barrier free") {
  lane.on_beams(false, true);
  lane.on_beams(false, false);
  vt.advance(500ms);
  lane.on_beams(false, true);
  vt.advance(5s);
  CHECK(release_out());
}

TEST_CASE_METHOD(ExitLaneFixture, "coming in through the exit is wrong way and opens nothing") {
  lane.on_beams(true, false);
  CHECK_FALSE(release_out());
  CHECK_FALSE(release_in());
  lane.on_passage(Direction::in);
  REQUIRE(reports.passages.size() == 1);
  CHECK(reports.passages[0].kind == PassageKind::wrong_way);
}

TEST_CASE_METHOD(ExitLaneFixture, "fire alarm frees the exit lane both ways, in every state") {
  SECTION("closed") {}
  SECTION("open") { lane.on_beams(false, true); }
  lane.on_alarm(true);
  CHECK(lane.state_name() == "emergency");
  CHECK(release_in());
  CHECK(release_out());
  lane.on_beams(false, false);
  vt.advance(1min);
  CHECK(release_out());
  lane.on_alarm(false);
  CHECK(lane.state_name() == "closed");
  CHECK_FALSE(release_out());
  CHECK_FALSE(release_in());
}

TEST_CASE_METHOD(ExitLaneFixture, "after the alarm the lane stays free both ways until nobody is in it") {
  lane.on_alarm(true);
  lane.on_beams(false, true);
  lane.on_alarm(false);
  CHECK(lane.state_name() == "emergency_clearing");
  CHECK(release_out());
  CHECK(release_in());
  vt.advance(1min);
  lane.on_beams(true, true);
  CHECK(release_in());
  lane.on_beams(true, false);
  lane.on_passage(Direction::out);
  lane.on_beams(false, false);
  CHECK(lane.state_name() == "closed");
  CHECK_FALSE(release_out());
  CHECK_FALSE(release_in());
  REQUIRE(reports.passages.size() == 1);
  CHECK(reports.passages[0].kind == PassageKind::exit);
}

TEST_CASE_METHOD(ExitLaneFixture, "someone coming in through the exit lane is a wrong-way alarm") {
  lane.on_passage(Direction::in);
  CHECK(lane.alarms().count(passgate::controller::AlarmKind::wrong_way) == 1);
  CHECK(io.last_display(3) == "alarm: wrong_way");
  CHECK(io.output("lane3.led_red"));
  vt.advance(5s);
  CHECK_FALSE(io.output("lane3.led_red"));
}

TEST_CASE_METHOD(ExitLaneFixture, "a beam blocked too long on an exit lane is an alarm until it clears") {
  lane.on_beams(false, true);
  vt.advance(20s);
  CHECK(lane.alarms().active(passgate::controller::AlarmKind::beam_blocked));
  CHECK(release_out());  // still free
  lane.on_beams(false, false);
  CHECK_FALSE(lane.alarms().active(passgate::controller::AlarmKind::beam_blocked));
  CHECK(lane.alarms().count(passgate::controller::AlarmKind::beam_blocked) == 1);
}

TEST_CASE_METHOD(ExitLaneFixture, "an exit lane out of service keeps egress free and shows red") {
  lane.set_in_service(false);
  CHECK(lane.state_name() == "out_of_service");
  CHECK(release_out());
  CHECK_FALSE(release_in());
  CHECK(io.output("lane3.led_red"));
  CHECK(io.last_display(3) == "out of service");
  lane.on_beams(false, true);
  lane.on_passage(Direction::out);
  lane.on_beams(false, false);
  vt.advance(1min);
  CHECK(release_out());
  CHECK(reports.passages.back().kind == PassageKind::exit);
  lane.set_in_service(true);
  CHECK(lane.state_name() == "closed");
  CHECK_FALSE(release_out());
  CHECK_FALSE(io.output("lane3.led_red"));
}

TEST_CASE_METHOD(ExitLaneFixture, "the fire alarm overrides taking an exit lane out of service") {
  lane.on_alarm(true);
  lane.set_in_service(false);
  lane.set_in_service(true);
  CHECK(release_in());
  CHECK(release_out());
  lane.on_alarm(false);
  CHECK(lane.state_name() == "closed");
  CHECK_FALSE(release_in());
  CHECK_FALSE(release_out());
}

TEST_CASE_METHOD(ExitLaneFixture, "coming in through an exit lane during an evacuation is reported as wrong way, not an alarm") {
  lane.on_alarm(true);
  io.clear_history();
  lane.on_passage(Direction::in);
  lane.on_passage(Direction::out);
  REQUIRE(reports.passages.size() == 2);
  CHECK(reports.passages[0].kind == PassageKind::wrong_way);
  CHECK(reports.passages[0].direction == Direction::in);
  CHECK(reports.passages[1].kind == PassageKind::exit);
  for (const auto kind : passgate::controller::kAlarmKinds) CHECK(lane.alarms().count(kind) == 0);
  CHECK(io.changes_of("lane3.buzzer").empty());
  CHECK(io.changes_of("lane3.led_red").empty());
}

TEST_CASE("an exit lane configured out of service drives nothing until refreshed, then holds egress free") {
  passgate::VirtualTime vt;
  passgate::hw::FakeIoBackend io{vt};
  passgate::test::ScriptedAdmission admission{vt};
  passgate::test::RecordedReports reports;
  auto config = passgate::test::lane_config(4, passgate::controller::LaneKind::exit);
  config.out_of_service = true;
  passgate::controller::ExitLane lane{config, {io, vt, vt, admission, reports}};
  CHECK(lane.state_name() == "out_of_service");
  CHECK(io.output_changes().empty());
  lane.refresh_outputs();
  CHECK(io.output("lane4.release_out"));
  CHECK_FALSE(io.output("lane4.release_in"));
  CHECK(io.output("lane4.led_red"));
}
