// The entry lane state machine in virtual time: what a person at the gate would see
// (barrier, lights, display) and what the tracking engine is told.
#include <catch2/catch.hpp>

#include "tests/lanes/entry_lane_fixture.hpp"

using namespace std::chrono_literals;
using passgate::DenialReason;
using passgate::controller::Direction;
using passgate::controller::PassageKind;
using passgate::test::EntryLaneFixture;

TEST_CASE_METHOD(EntryLaneFixture, "a valid scan opens the barrier for one person, who closes it behind him") {
  CHECK(lane.state_name() == "idle");
  lane.on_scan("token-1");
  CHECK(lane.state_name() == "validating");
  REQUIRE(admission.open() == 1);
  CHECK(admission.requests[0].token == "token-1");
  CHECK_FALSE(release_in());

  admission.admit("s1", 1);
  CHECK(lane.state_name() == "admitting");
  CHECK(release_in());
  CHECK(green());
  CHECK(io.last_display(1) == "admit 1");

  vt.advance(900ms);
  lane.on_passage(Direction::in);
  CHECK_FALSE(release_in());
  CHECK_FALSE(green());
  CHECK(lane.state_name() == "idle");
  REQUIRE(reports.passages.size() == 1);
  CHECK(reports.passages[0].kind == PassageKind::admitted);
  CHECK(reports.passages[0].session == "s1");
  CHECK(reports.cancelled.empty());
}

TEST_CASE_METHOD(EntryLaneFixture, "an unused grant closes after the grant timeout and cancels the session") {
  lane.on_scan("t");
  admission.admit("s1", 1);
  vt.advance(7999ms);
  CHECK(release_in());
  vt.advance(1ms);
  CHECK_FALSE(release_in());
  CHECK(lane.state_name() == "idle");
  CHECK(reports.cancelled == std::vector<std::string>{"s1"});
  const auto pulses = io.pulses("lane1.release_in");
  REQUIRE(pulses.size() == 1);
  CHECK(*pulses[0].end - pulses[0].start == 8000ms);
}

TEST_CASE_METHOD(EntryLaneFixture, "a person passing right after an unused grant timed out is forced, not charged to that session") {
  lane.on_scan("t");
  admission.admit("s1", 1);
  vt.advance(8000ms);  // nobody came: the grant ends unused, its session cancelled
  REQUIRE(reports.cancelled == std::vector<std::string>{"s1"});
  vt.advance(500ms);  // well within the tailgate window of a grant someone used
  lane.on_passage(Direction::in);
  REQUIRE(reports.passages.size() == 1);
  CHECK(reports.passages[0].kind == PassageKind::forced);
  CHECK_FALSE(reports.passages[0].session.has_value());
}

TEST_CASE_METHOD(EntryLaneFixture, "a group of 3 holds the barrier open for exactly three passages") {
  lane.on_scan("t");
  admission.admit("s1", 3);
  CHECK(lane.places_left() == 3);
  lane.on_passage(Direction::in);
  vt.advance(700ms);
  lane.on_passage(Direction::in);
  CHECK(release_in());
  CHECK(lane.places_left() == 1);
  vt.advance(700ms);
  lane.on_passage(Direction::in);
  CHECK_FALSE(release_in());
  REQUIRE(reports.passages.size() == 3);
  for (const auto& p : reports.passages) {
    CHECK(p.kind == PassageKind::admitted);
    CHECK(p.session == "s1");
  }
  CHECK(reports.cancelled.empty());
}

TEST_CASE_METHOD(EntryLaneFixture, "the group is capped at the lane's group limit") {
  lane.on_scan("t");
  CHECK(admission.requests[0].group_limit == 4);
  admission.admit("s1", 10);
  CHECK(lane.places_left() == 4);
}

TEST_CASE_METHOD(EntryLaneFixture, "each passage restarts the grant timeout") {
  lane.on_scan("t");
  admission.admit("s1", 2);
  vt.advance(7000ms);
  lane.on_passage(Direction::in);
  vt.advance(7000ms);
  CHECK(release_in());
  vt.advance(1000ms);
  CHECK_FALSE(release_in());
  CHECK(reports.cancelled.empty());  // partly used: the session stands
}

TEST_CASE_METHOD(EntryLaneFixture, "scan-ahead: the next shopper's group joins the open grant, attributed in scan order") {
  lane.on_scan("a");
  admission.admit("sa", 2);
  lane.on_scan("b");  // while the first group walks
  CHECK(lane.state_name() == "admitting");
  admission.admit("sb", 1);
  CHECK(lane.places_left() == 3);
  const auto opened = io.changes_of("lane1.release_in").size();

  lane.on_passage(Direction::in);
  lane.on_passage(Direction::in);
  CHECK(release_in());
  lane.on_passage(Direction::in);
  CHECK_FALSE(release_in());
  CHECK(io.changes_of("lane1.release_in").size() == opened + 1);  // never closed in between
  REQUIRE(reports.passages.size() == 3);
  CHECK(reports.passages[0].session == "sa");
  CHECK(reports.passages[1].session == "sa");
  CHECK(reports.passages[2].session == "sb");
}

TEST_CASE_METHOD(EntryLaneFixture, "a denial shows red, beeps, names the reason and returns to idle") {
  lane.on_scan("forged");
  admission.deny(DenialReason::bad_signature);
  CHECK(lane.state_name() == "idle");
  CHECK_FALSE(release_in());
  CHECK(red());
  CHECK(io.last_display(1) == "bad_signature");
  const auto buzz = io.pulses("lane1.buzzer");
  REQUIRE(buzz.size() == 1);
  vt.advance(2s);
  CHECK_FALSE(red());
  REQUIRE(io.pulses("lane1.buzzer")[0].end.has_value());
  CHECK(*io.pulses("lane1.buzzer")[0].end - io.pulses("lane1.buzzer")[0].start == 200ms);
}

TEST_CASE_METHOD(EntryLaneFixture, "a denial during scan-ahead keeps the open grant") {
  lane.on_scan("a");
  admission.admit("sa", 1);
  lane.on_scan("b");
  admission.deny(DenialReason::replayed);
  CHECK(release_in());
  CHECK(io.last_display(1) == "replayed");
  lane.on_passage(Direction::in);
  CHECK_FALSE(release_in());
}

TEST_CASE_METHOD(EntryLaneFixture, "a person right behind a used-up grant is a tailgater of that session") {
  lane.on_scan("a");
  admission.admit("sa", 1);
  lane.on_passage(Direction::in);
  vt.advance(800ms);
  lane.on_passage(Direction::in);
  REQUIRE(reports.passages.size() == 2);
  CHECK(reports.passages[1].kind == PassageKind::tailgate);
  CHECK(reports.passages[1].session == "sa");
  vt.advance(10s);
  lane.on_passage(Direction::in);
  CHECK(reports.passages[2].kind == PassageKind::forced);
  CHECK_FALSE(reports.passages[2].session.has_value());
}

TEST_CASE_METHOD(EntryLaneFixture, "leaving through an entry lane is wrong way") {
  lane.on_passage(Direction::out);
  REQUIRE(reports.passages.size() == 1);
  CHECK(reports.passages[0].kind == PassageKind::wrong_way);
  CHECK(reports.passages[0].direction == Direction::out);
}

TEST_CASE_METHOD(EntryLaneFixture, "fire alarm frees the lane both ways in every state") {
  SECTION("idle") {}
  SECTION("validating") { lane.on_scan("t"); }
  SECTION("admitting") {
    lane.on_scan("t");
    admission.admit("s1", 2);
  }
  SECTION("admitting, partly used") {
    lane.on_scan("t");
    admission.admit("s1", 2);
    lane.on_passage(Direction::in);
  }
  SECTION("right after a denial") {
    lane.on_scan("t");
    admission.deny(DenialReason::expired);
  }
  lane.on_alarm(true);
  CHECK(lane.state_name() == "emergency");
  CHECK(release_in());
  CHECK(release_out());
  // Nothing closes it while the alarm lasts: not the grant timer, not a passage, not a scan.
  vt.advance(60s);
  lane.on_passage(Direction::in);
  lane.on_passage(Direction::out);
  lane.on_scan("t2");
  CHECK(release_in());
  CHECK(release_out());
  CHECK(io.last_display(1) == "lane_unavailable");
  lane.on_alarm(false);
  CHECK(lane.state_name() == "idle");
  CHECK_FALSE(release_in());
  CHECK_FALSE(release_out());
}

TEST_CASE_METHOD(EntryLaneFixture, "the release lines never drop while the alarm takes over a grant") {
  lane.on_scan("t");
  admission.admit("s1", 1);
  io.clear_history();
  lane.on_alarm(true);
  for (const auto& c : io.output_changes()) {
    CHECK_FALSE((c.line == "lane1.release_in" && !c.active));
  }
  // The shopper shown green may still walk in: the grant lingers a grant time-out, then nobody
  // used it and the lane is clear, so it is cancelled.
  CHECK(reports.cancelled.empty());
  vt.advance(8000ms);
  CHECK(reports.cancelled == std::vector<std::string>{"s1"});
}

TEST_CASE_METHOD(EntryLaneFixture, "a shopper shown green who walks in as the fire alarm sounds is admitted on the grant") {
  lane.on_scan("t");
  admission.admit("s1", 1);
  lane.on_alarm(true);
  REQUIRE(lane.state_name() == "emergency");
  CHECK(lane.grant_open_for("s1"));
  CHECK_FALSE(lane.passage_in_progress());  // the fire alarm never holds a stop up
  vt.advance(3000ms);
  lane.on_passage(Direction::in);
  REQUIRE(reports.passages.size() == 1);
  CHECK(reports.passages[0].kind == PassageKind::admitted);
  CHECK(reports.passages[0].session == "s1");
  vt.advance(8000ms);
  CHECK(reports.cancelled.empty());
  CHECK_FALSE(lane.grant_open_for("s1"));
}

TEST_CASE_METHOD(EntryLaneFixture, "an admission answered during the alarm is cancelled and refused") {
  lane.on_scan("t");
  lane.on_alarm(true);
  admission.admit("late", 1);
  CHECK(reports.cancelled == std::vector<std::string>{"late"});
  CHECK(io.last_display(1) != "lane_unavailable");  // the alarm stays on the display
  REQUIRE_FALSE(reports.answers.empty());
  CHECK_FALSE(reports.answers.back().admitted);
  CHECK(reports.answers.back().reason == passgate::DenialReason::lane_unavailable);
  CHECK(admission.open() == 0);
}

TEST_CASE_METHOD(EntryLaneFixture, "exits during the alarm through an entry lane are reported as exits") {
  lane.on_alarm(true);
  lane.on_passage(Direction::out);
  REQUIRE(reports.passages.size() == 1);
  CHECK(reports.passages[0].kind == PassageKind::exit);
}

TEST_CASE_METHOD(EntryLaneFixture, "passages during an evacuation are reported only, never an alarm") {
  lane.on_alarm(true);
  SECTION("alarm on") {}
  SECTION("alarm over, lane still busy") {
    lane.on_beams(true, false);
    lane.on_alarm(false);
    REQUIRE(lane.state_name() == "emergency_clearing");
  }
  io.clear_history();
  lane.on_passage(Direction::in);
  lane.on_passage(Direction::out);
  REQUIRE(reports.passages.size() == 2);
  CHECK(reports.passages[0].kind == PassageKind::forced);
  CHECK(reports.passages[0].direction == Direction::in);
  CHECK_FALSE(reports.passages[0].session.has_value());
  CHECK(reports.passages[1].kind == PassageKind::exit);
  for (const auto kind : passgate::controller::kAlarmKinds) CHECK(lane.alarms().count(kind) == 0);
  CHECK(io.changes_of("lane1.buzzer").empty());
  CHECK(io.changes_of("lane1.led_red").empty());
}

TEST_CASE_METHOD(EntryLaneFixture, "refresh_outputs puts back every line driven behind the lane's back") {
  lane.on_scan("t");
  admission.admit("s1", 1);
  REQUIRE(release_in());
  REQUIRE(green());
  io.set_output("lane1.release_in", false);
  io.set_output("lane1.led_green", false);
  io.set_output("lane1.release_out", true);
  io.set_output("lane1.led_red", true);
  io.set_output("lane1.buzzer", true);
  lane.refresh_outputs();
  CHECK(release_in());
  CHECK(green());
  CHECK_FALSE(release_out());
  CHECK_FALSE(red());
  CHECK_FALSE(io.output("lane1.buzzer"));
}

TEST_CASE_METHOD(EntryLaneFixture, "the lane holds a grant for a session from its admission until its barrier closes") {
  // What an operator's cancel is refused on (passgatectl sessions cancel: in_use).
  lane.on_scan("t");
  CHECK_FALSE(lane.grant_open_for("s1"));  // not admitted yet: nothing granted
  admission.admit("s1", 2);
  CHECK(lane.grant_open_for("s1"));
  CHECK_FALSE(lane.grant_open_for("s2"));
  lane.on_passage(Direction::in);
  CHECK(lane.grant_open_for("s1"));  // a place is left
  lane.on_beams(true, false);        // someone in the barrier as the grant times out: closing
  vt.advance(8000ms);
  REQUIRE(lane.state_name() == "closing");
  CHECK(lane.grant_open_for("s1"));  // its last place may still be used
  lane.on_beams(false, false);
  REQUIRE(lane.state_name() == "idle");
  CHECK_FALSE(lane.grant_open_for("s1"));
}

TEST_CASE_METHOD(EntryLaneFixture, "a grant the fire alarm ended ends when the alarm clears with the lane clear, never credited later") {
  lane.on_scan("t");
  admission.admit("s1", 1);
  lane.on_alarm(true);
  vt.advance(1500ms);
  lane.on_alarm(false);  // a blip: the lane serves others again
  REQUIRE(lane.state_name() == "idle");
  CHECK(reports.cancelled == std::vector<std::string>{"s1"});
  CHECK_FALSE(lane.grant_open_for("s1"));
  lane.on_passage(Direction::in);  // someone pushing through the locked barrier: not s1's
  REQUIRE(reports.passages.size() == 1);
  CHECK(reports.passages[0].kind != PassageKind::admitted);
  CHECK(reports.passages[0].session != "s1");
}
