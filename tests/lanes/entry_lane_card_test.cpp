// Card-tap entry at the entry lane, in virtual time: a card admission is opened and granted
// to one person as an app admission is (scan-ahead, grant time-out, passages), a card denial
// is shown as a scan's, and a lane that cannot take a card admission (fire alarm, out of
// service, stopping) refuses it as it refuses a late answer: the session is cancelled.
#include <catch2/catch.hpp>

#include "tests/lanes/entry_lane_fixture.hpp"

using namespace std::chrono_literals;
using passgate::DenialReason;
using passgate::controller::Direction;
using passgate::controller::EntryWay;
using passgate::controller::PassageKind;
using passgate::test::EntryLaneFixture;
using passgate::test::ScriptedAdmission;

TEST_CASE_METHOD(EntryLaneFixture, "a card admission opens its session, then the barrier releases for one who closes it") {
  lane.on_card_admitted("c1");
  CHECK(lane.state_name() == "validating");
  REQUIRE(admission.open() == 1);
  CHECK(admission.requests[0].token == ScriptedAdmission::kCardSession + "c1");
  CHECK_FALSE(release_in());

  admission.admit("c1", 1);
  CHECK(lane.state_name() == "admitting");
  CHECK(release_in());
  CHECK(io.last_display(1) == "admit 1");
  REQUIRE(reports.answers.size() == 1);
  CHECK(reports.answers[0].admitted);
  CHECK(reports.answers[0].way == EntryWay::card);

  lane.on_passage(Direction::in);
  CHECK_FALSE(release_in());
  CHECK(lane.state_name() == "idle");
  REQUIRE(reports.passages.size() == 1);
  CHECK(reports.passages[0].kind == PassageKind::admitted);
  CHECK(reports.passages[0].session == "c1");
}

TEST_CASE_METHOD(EntryLaneFixture, "a card admitted during an app grant joins it, attributed in the order asked") {
  lane.on_scan("app");
  admission.admit("sa", 1);
  lane.on_card_admitted("c1");
  admission.admit("c1", 1);
  CHECK(release_in());
  lane.on_passage(Direction::in);
  CHECK(release_in());
  lane.on_passage(Direction::in);
  CHECK_FALSE(release_in());
  REQUIRE(reports.passages.size() == 2);
  CHECK(reports.passages[0].session == "sa");
  CHECK(reports.passages[1].session == "c1");
}

TEST_CASE_METHOD(EntryLaneFixture, "an unused card grant closes after the grant time-out and its session is cancelled") {
  lane.on_card_admitted("c1");
  admission.admit("c1", 1);
  vt.advance(8s);
  CHECK_FALSE(release_in());
  CHECK(reports.cancelled == std::vector<std::string>{"c1"});
}

TEST_CASE_METHOD(EntryLaneFixture, "a card session the engine refuses is shown denied and nothing is released") {
  lane.on_card_admitted("c1");
  admission.deny(DenialReason::shopper_blocked);
  CHECK(lane.state_name() == "idle");
  CHECK_FALSE(release_in());
  CHECK(io.last_display(1) == "shopper_blocked");
  REQUIRE(reports.answers.size() == 1);
  CHECK(reports.answers[0].way == EntryWay::card);
}

TEST_CASE_METHOD(EntryLaneFixture, "a card denial shows red, beeps and names its reason, and the lane goes on as it was") {
  for (const auto reason : {DenialReason::tap_failed, DenialReason::card_in_session, DenialReason::terminal_unavailable,
                            DenialReason::payment_declined, DenialReason::shopper_blocked}) {
    lane.on_card_denied(reason);
    CHECK(lane.state_name() == "idle");
    CHECK(red());
    CHECK(io.last_display(1) == std::string(to_string(reason)));
    REQUIRE_FALSE(reports.answers.empty());
    CHECK(reports.answers.back().reason == reason);
    CHECK(reports.answers.back().way == EntryWay::card);
    vt.advance(2s);  // the red flash and the buzzer pulse over
  }
  CHECK(io.pulses("lane1.buzzer").size() == 5);
  CHECK(admission.open() == 0);
}

TEST_CASE_METHOD(EntryLaneFixture, "a card denial during a grant leaves the grant open") {
  lane.on_scan("app");
  admission.admit("sa", 1);
  lane.on_card_denied(DenialReason::tap_failed);
  CHECK(release_in());
  CHECK(lane.state_name() == "admitting");
}

TEST_CASE_METHOD(EntryLaneFixture, "a card admitted during the fire alarm is opened and cancelled, never granted") {
  lane.on_alarm(true);
  lane.on_card_admitted("c1");
  REQUIRE(admission.open() == 1);
  admission.admit("c1", 1);
  CHECK(reports.cancelled == std::vector<std::string>{"c1"});
  CHECK(io.last_display(1) != "lane_unavailable");  // evacuating: no red flash, no buzzer
  REQUIRE_FALSE(reports.answers.empty());
  CHECK_FALSE(reports.answers.back().admitted);
  CHECK(reports.answers.back().way == EntryWay::card);
  CHECK(lane.state_name() == "emergency");
}

TEST_CASE_METHOD(EntryLaneFixture, "a card admission awaiting its session when the alarm comes is cancelled as an app one") {
  lane.on_card_admitted("c1");
  lane.on_alarm(true);
  admission.admit("c1", 1);
  CHECK(reports.cancelled == std::vector<std::string>{"c1"});
  lane.on_alarm(false);
  CHECK(lane.state_name() == "idle");
  CHECK_FALSE(release_in());
}

TEST_CASE_METHOD(EntryLaneFixture, "a card denial during the fire alarm is reported and not shown") {
  lane.on_alarm(true);
  lane.on_card_denied(DenialReason::tap_failed);
  CHECK(io.last_display(1) != "tap_failed");
  REQUIRE_FALSE(reports.answers.empty());
  CHECK(reports.answers.back().reason == DenialReason::tap_failed);
}

TEST_CASE_METHOD(EntryLaneFixture, "out of service or stopping, a card admission is refused lane_unavailable and cancelled") {
  SECTION("out of service") { lane.set_in_service(false); }
  SECTION("stopping") { lane.close_for_shutdown(); }
  lane.on_card_admitted("c1");
  admission.admit("c1", 1);
  CHECK_FALSE(release_in());
  CHECK(reports.cancelled == std::vector<std::string>{"c1"});
  CHECK(io.last_display(1) == "lane_unavailable");
  CHECK(reports.answers.back().way == EntryWay::card);
}

TEST_CASE_METHOD(EntryLaneFixture, "card entry turning off says use the app on an idle lane's display") {
  lane.on_card_entry(false);
  CHECK(io.last_display(1) == "card entry off: use the app");
  lane.on_card_entry(true);
  CHECK(io.last_display(1) == "card entry on");
}
