// The entry lane's alarms and safety in virtual time: tailgating, forced entry, wrong way,
// a blocked beam, a barrier that cannot close (retries, then fault), the fire alarm's
// clearing rule, out of service and a lost scanner; what the lane shows, what it counts and
// what the tracking engine is told.
#include <catch2/catch.hpp>

#include <algorithm>

#include "controller/lanes/entry_lane.hpp"
#include "controller/lanes/signals.hpp"
#include "hw/fake_io_backend.hpp"
#include "tests/lanes/lane_fakes.hpp"

using namespace std::chrono_literals;
using passgate::DenialReason;
using passgate::Millis;
using passgate::controller::AlarmKind;
using passgate::controller::Direction;
using passgate::controller::LaneSignals;
using passgate::controller::PassageKind;

namespace {

passgate::controller::LaneConfig safety_config() {
  auto config = passgate::test::lane_config(1, passgate::controller::LaneKind::entry);
  config.beam_blocked_alarm = 20s;
  config.close_retry = 2s;
  config.close_retries = 3;
  return config;
}

struct EntrySafetyFixture {
  passgate::VirtualTime vt;
  passgate::hw::FakeIoBackend io{vt};
  passgate::test::ScriptedAdmission admission{vt};
  passgate::test::RecordedReports reports;
  passgate::controller::LaneConfig config = safety_config();
  passgate::controller::EntryLane lane{config, {io, vt, vt, admission, reports}};

  bool release_in() const { return io.output("lane1.release_in"); }
  bool release_out() const { return io.output("lane1.release_out"); }
  bool red() const { return io.output("lane1.led_red"); }
  std::uint64_t count(AlarmKind k) const { return lane.alarms().count(k); }
  bool active(AlarmKind k) const { return lane.alarms().active(k); }

  // The buzzer's on/off durations since `from` (the last "on" still running is left out).
  std::vector<Millis> buzzer_since(passgate::SteadyTime from) const {
    std::vector<Millis> steps;
    const auto pulses = io.pulses("lane1.buzzer");
    std::optional<passgate::SteadyTime> previous_end;
    for (const auto& p : pulses) {
      if (p.start < from || !p.end) continue;
      if (previous_end) steps.push_back(std::chrono::duration_cast<Millis>(p.start - *previous_end));
      steps.push_back(std::chrono::duration_cast<Millis>(*p.end - p.start));
      previous_end = p.end;
    }
    return steps;
  }
  std::vector<Millis> pattern(AlarmKind k) const {
    const auto p = LaneSignals::buzzer_pattern(k);
    return {p.begin(), p.end()};
  }

  void admit_one(const std::string& session) {
    lane.on_scan("t-" + session);
    admission.admit(session, 1);
  }
  void walk_in() {
    lane.on_beams(true, false);
    lane.on_beams(true, true);
    lane.on_beams(false, true);
    lane.on_passage(Direction::in);
    lane.on_beams(false, false);
  }
};

}  // namespace

TEST_CASE_METHOD(EntrySafetyFixture, "a tailgater is an alarm: counted, shown, its own buzzer pattern, reported") {
  admit_one("s1");
  walk_in();
  const auto t0 = vt.steady_now();
  vt.advance(500ms);
  walk_in();
  CHECK(count(AlarmKind::tailgate) == 1);
  CHECK_FALSE(active(AlarmKind::tailgate));  // momentary
  CHECK(red());
  CHECK(io.last_display(1) == "alarm: tailgate");
  vt.advance(5s);
  CHECK_FALSE(red());
  CHECK(buzzer_since(t0) == pattern(AlarmKind::tailgate));
  REQUIRE(reports.passages.size() == 2);
  CHECK(reports.passages[1].kind == PassageKind::tailgate);
  CHECK(reports.passages[1].session == "s1");
  CHECK_FALSE(release_in());  // an alarm opens nothing
}

TEST_CASE_METHOD(EntrySafetyFixture, "a close follower while the barrier is held open is a tailgater of the grant") {
  vt.advance(1h);  // no grant has ended recently
  admit_one("s1");
  lane.on_beams(true, false);
  vt.advance(config.grant_timeout + 1s);
  REQUIRE(lane.state_name() == "closing");  // the grant ended with someone in the barrier
  lane.on_beams(true, true);
  lane.on_beams(false, true);
  // The detector reports both bodies of one excursion, before the lane is clear.
  lane.on_passage(Direction::in);
  lane.on_passage(Direction::in);
  lane.on_beams(false, false);
  REQUIRE(reports.passages.size() == 2);
  CHECK(reports.passages[0].kind == PassageKind::admitted);
  CHECK(reports.passages[1].kind == PassageKind::tailgate);
  CHECK(reports.passages[1].session == "s1");
  CHECK(count(AlarmKind::tailgate) == 1);
  CHECK(count(AlarmKind::forced) == 0);
  CHECK(lane.state_name() == "idle");
}

TEST_CASE_METHOD(EntrySafetyFixture, "forced entry and wrong way are alarms with their own patterns") {
  const auto t0 = vt.steady_now();
  walk_in();
  CHECK(count(AlarmKind::forced) == 1);
  CHECK(io.last_display(1) == "alarm: forced");
  vt.advance(5s);
  CHECK(buzzer_since(t0) == pattern(AlarmKind::forced));

  const auto t1 = vt.steady_now();
  lane.on_passage(Direction::out);
  CHECK(count(AlarmKind::wrong_way) == 1);
  CHECK(io.last_display(1) == "alarm: wrong_way");
  vt.advance(5s);
  CHECK(buzzer_since(t1) == pattern(AlarmKind::wrong_way));
  REQUIRE(reports.passages.size() == 2);
  CHECK(reports.passages[0].kind == PassageKind::forced);
  CHECK(reports.passages[1].kind == PassageKind::wrong_way);
  CHECK(reports.passages[1].direction == Direction::out);
}

TEST_CASE("every alarm kind has a buzzer pattern of its own, none like a denial's beep") {
  std::vector<std::vector<Millis>> patterns{{LaneSignals::kBuzzerPulse}};
  for (const AlarmKind k : passgate::controller::kAlarmKinds) {
    const auto p = LaneSignals::buzzer_pattern(k);
    REQUIRE(p.size() % 2 == 1);  // starts and ends with "on"
    patterns.emplace_back(p.begin(), p.end());
  }
  for (std::size_t i = 0; i < patterns.size(); ++i) {
    for (std::size_t j = i + 1; j < patterns.size(); ++j) CHECK(patterns[i] != patterns[j]);
  }
}

TEST_CASE_METHOD(EntrySafetyFixture, "a beam blocked for beam_blocked_alarm_ms is an alarm until the beams clear") {
  lane.on_beams(true, false);
  vt.advance(19999ms);
  CHECK_FALSE(active(AlarmKind::beam_blocked));
  CHECK_FALSE(red());
  const auto t0 = vt.steady_now();
  vt.advance(1ms);
  CHECK(active(AlarmKind::beam_blocked));
  CHECK(count(AlarmKind::beam_blocked) == 1);
  CHECK(io.last_display(1) == "alarm: beam_blocked");
  vt.advance(1min);
  CHECK(red());  // steady while it lasts
  CHECK(buzzer_since(t0) == pattern(AlarmKind::beam_blocked));
  CHECK(lane.alarms().active_list() == std::vector<AlarmKind>{AlarmKind::beam_blocked});

  lane.on_beams(true, true);  // still blocked: the same alarm
  CHECK(count(AlarmKind::beam_blocked) == 1);
  lane.on_beams(false, false);
  CHECK_FALSE(active(AlarmKind::beam_blocked));
  CHECK_FALSE(red());
  CHECK(lane.state_name() == "idle");

  // Short blockings never add up.
  for (int i = 0; i < 5; ++i) {
    lane.on_beams(true, false);
    vt.advance(10s);
    lane.on_beams(false, false);
  }
  CHECK(count(AlarmKind::beam_blocked) == 1);
}

TEST_CASE_METHOD(EntrySafetyFixture, "a grant ending with someone in the lane keeps the barrier released, then closes once clear") {
  admit_one("s1");
  lane.on_beams(true, false);  // stands in the barrier and does not go on
  vt.advance(8s);              // grant timeout
  CHECK(lane.state_name() == "closing");
  CHECK(release_in());
  CHECK(active(AlarmKind::barrier_obstructed));
  CHECK(count(AlarmKind::barrier_obstructed) == 1);
  CHECK(red());
  vt.advance(3s);  // one retry, still blocked
  CHECK(release_in());
  lane.on_beams(false, false);  // backs out
  CHECK(lane.state_name() == "idle");
  CHECK_FALSE(release_in());
  CHECK_FALSE(active(AlarmKind::barrier_obstructed));
  CHECK_FALSE(red());
  CHECK(reports.cancelled == std::vector<std::string>{"s1"});
  // The barrier was released once, from the grant until the lane was clear.
  const auto pulses = io.pulses("lane1.release_in");
  REQUIRE(pulses.size() == 1);
  CHECK(*pulses[0].end - pulses[0].start == 11s);
}

TEST_CASE_METHOD(EntrySafetyFixture, "a barrier still blocked after close_retries retries puts the lane in fault until it is clear") {
  admit_one("s1");
  lane.on_beams(true, true);
  vt.advance(8s);
  CHECK(lane.state_name() == "closing");
  vt.advance(5999ms);  // retries at +2 s and +4 s
  CHECK(lane.state_name() == "closing");
  CHECK(release_in());
  vt.advance(1ms);  // the third retry fails
  CHECK(lane.state_name() == "fault");
  CHECK_FALSE(release_in());
  CHECK(release_out());  // egress free
  CHECK(red());
  CHECK(io.last_display(1) == "fault: barrier blocked");
  CHECK(lane.alarms().active_list() == std::vector<AlarmKind>{AlarmKind::barrier_obstructed});

  lane.on_scan("t2");
  CHECK(admission.open() == 0);
  CHECK(io.last_display(1) == "lane_unavailable");
  vt.advance(1min);
  CHECK(lane.state_name() == "fault");

  // The person leaves backwards through the free egress: an exit, not a wrong-way alarm.
  lane.on_beams(false, true);
  lane.on_passage(Direction::out);
  lane.on_beams(false, false);
  CHECK(lane.state_name() == "idle");
  CHECK_FALSE(release_out());
  CHECK_FALSE(red());
  CHECK(count(AlarmKind::barrier_obstructed) == 1);
  CHECK(count(AlarmKind::wrong_way) == 0);
  REQUIRE(reports.passages.size() == 1);
  CHECK(reports.passages[0].kind == PassageKind::exit);
  // Working normally again.
  admit_one("s2");
  CHECK(release_in());
}

TEST_CASE_METHOD(EntrySafetyFixture, "a scan answered while the barrier is held open opens a new grant without a glitch") {
  admit_one("s1");
  lane.on_beams(true, false);
  vt.advance(8s);
  REQUIRE(lane.state_name() == "closing");
  lane.on_scan("t2");
  admission.admit("s2", 1);
  CHECK(lane.state_name() == "admitting");
  CHECK_FALSE(active(AlarmKind::barrier_obstructed));
  CHECK(io.changes_of("lane1.release_in").size() == 1);  // on once, never dropped
  // The person in the barrier was s1's shopper, then s2's comes.
  lane.on_beams(true, true);
  lane.on_beams(false, true);
  lane.on_passage(Direction::in);
  lane.on_beams(false, false);
  CHECK(release_in());
  walk_in();
  CHECK_FALSE(release_in());
  REQUIRE(reports.passages.size() == 2);
  CHECK(reports.passages[0].session == "s1");
  CHECK(reports.passages[1].session == "s2");
  CHECK(reports.cancelled.empty());
}

TEST_CASE_METHOD(EntrySafetyFixture, "after a fire alarm the lane stays free both ways until its beams are clear") {
  lane.on_alarm(true);
  lane.on_beams(true, true);  // people streaming out
  lane.on_alarm(false);
  CHECK(lane.state_name() == "emergency_clearing");
  CHECK(release_in());
  CHECK(release_out());
  lane.on_scan("t");
  CHECK(io.last_display(1) == "lane_unavailable");
  CHECK(admission.open() == 0);
  vt.advance(10s);
  CHECK(release_in());
  lane.on_beams(false, true);
  CHECK(release_out());
  lane.on_passage(Direction::out);
  lane.on_beams(false, false);
  CHECK(lane.state_name() == "idle");
  CHECK_FALSE(release_in());
  CHECK_FALSE(release_out());
  CHECK(reports.passages.back().kind == PassageKind::exit);
}

TEST_CASE_METHOD(EntrySafetyFixture, "the fire alarm overrides out-of-service and in-service commands") {
  lane.on_alarm(true);
  lane.set_in_service(false);
  CHECK(release_in());
  CHECK(release_out());
  CHECK(lane.state_name() == "emergency");
  lane.set_in_service(true);
  lane.set_in_service(false);
  CHECK(release_in());
  CHECK(release_out());
  for (const auto& c : io.output_changes()) CHECK(c.active);  // nothing was ever turned off
  lane.on_alarm(false);
  CHECK(lane.state_name() == "out_of_service");
  CHECK_FALSE(release_in());
  CHECK(release_out());
}

TEST_CASE_METHOD(EntrySafetyFixture, "out of service: scans refused, egress free, red steady, back once the lane is clear") {
  admit_one("s1");
  lane.on_scan("t2");  // answered after the lane went out of service
  lane.set_in_service(false);
  CHECK(lane.state_name() == "out_of_service");
  CHECK_FALSE(lane.in_service());
  CHECK_FALSE(release_in());
  CHECK(release_out());
  CHECK(red());
  CHECK(reports.cancelled == std::vector<std::string>{"s1"});
  admission.admit("s2", 1);
  CHECK(reports.cancelled == std::vector<std::string>{"s1", "s2"});
  CHECK_FALSE(release_in());

  lane.on_scan("t3");
  CHECK(admission.open() == 0);
  CHECK(io.last_display(1) == "lane_unavailable");
  vt.advance(1min);
  CHECK(red());

  lane.on_beams(false, true);  // someone leaving when the lane comes back
  lane.set_in_service(true);
  CHECK(lane.state_name() == "out_of_service");
  CHECK(release_out());
  lane.on_passage(Direction::out);
  lane.on_beams(false, false);
  CHECK(lane.state_name() == "idle");
  CHECK_FALSE(release_out());
  CHECK_FALSE(red());
  CHECK(reports.passages.back().kind == PassageKind::exit);
  CHECK(count(AlarmKind::wrong_way) == 0);
}

TEST_CASE("a lane configured out of service starts out of service") {
  passgate::VirtualTime vt;
  passgate::hw::FakeIoBackend io{vt};
  passgate::test::ScriptedAdmission admission{vt};
  passgate::test::RecordedReports reports;
  auto config = passgate::test::lane_config(2, passgate::controller::LaneKind::entry);
  config.out_of_service = true;
  passgate::controller::EntryLane lane{config, {io, vt, vt, admission, reports}};
  CHECK(lane.state_name() == "out_of_service");
  CHECK(io.output_changes().empty());  // construction drives no line (the Gate latches the fire alarm first)
  lane.refresh_outputs();
  CHECK(io.output("lane2.release_out"));
  CHECK(io.output("lane2.led_red"));
  lane.on_scan("t");
  CHECK(admission.open() == 0);
  lane.set_in_service(true);
  CHECK(lane.state_name() == "idle");
  CHECK_FALSE(io.output("lane2.release_out"));
}

TEST_CASE_METHOD(EntrySafetyFixture, "a lost scanner is a scanner fault that keeps egress free until it is back") {
  admit_one("s1");
  CHECK_FALSE(release_out());
  lane.on_scanner_connection(false, "unplugged");
  CHECK_FALSE(lane.scanner_connected());
  CHECK(active(AlarmKind::scanner_fault));
  CHECK(count(AlarmKind::scanner_fault) == 1);
  CHECK(io.last_display(1) == "alarm: scanner_fault");
  CHECK(red());
  CHECK(release_out());  // nobody can scan in: egress free
  CHECK(release_in());   // the grant goes on
  CHECK(lane.state_name() == "admitting");
  lane.on_scanner_connection(false, "still gone");
  CHECK(count(AlarmKind::scanner_fault) == 1);
  walk_in();
  CHECK(reports.passages.back().kind == PassageKind::admitted);
  CHECK(release_out());  // the grant's end changes nothing
  lane.on_passage(Direction::out);  // leaving through the held egress is still wrong way
  CHECK(count(AlarmKind::wrong_way) == 1);

  lane.on_scanner_connection(true, "usb 0c2e:0b61 claimed");
  CHECK(lane.scanner_connected());
  CHECK_FALSE(active(AlarmKind::scanner_fault));
  CHECK_FALSE(release_out());
  CHECK(io.last_display(1) == "scanner ok");
  vt.advance(5s);
  CHECK_FALSE(red());
  admit_one("s2");
  CHECK(release_in());
  CHECK_FALSE(release_out());
}

TEST_CASE_METHOD(EntrySafetyFixture, "a cleared lasting alarm stops its own buzzer pattern, and only its own") {
  lane.on_scanner_connection(false, "no rig connected");
  CHECK(io.output("lane1.buzzer"));  // scanner_fault's pattern sounds
  vt.advance(100ms);
  lane.on_scanner_connection(true, "rig connected");
  CHECK_FALSE(io.output("lane1.buzzer"));  // silent at once, not at the pattern's end
  vt.advance(5s);
  CHECK(io.pulses("lane1.buzzer").size() == 1);  // nothing more of it

  // Over long ago: clearing it again later touches the buzzer no more (an installer's pulse).
  lane.on_scanner_connection(false, "unplugged");
  vt.advance(5s);
  io.set_output("lane1.buzzer", true);
  lane.on_scanner_connection(true, "back");
  CHECK(io.output("lane1.buzzer"));
}

TEST_CASE_METHOD(EntrySafetyFixture, "the scanner's egress hold and out of service's are counted apart") {
  lane.on_scanner_connection(false, "unplugged");
  lane.set_in_service(false);
  lane.on_scanner_connection(true, "back");
  CHECK(release_out());  // still out of service
  CHECK(red());
  lane.on_scanner_connection(false, "unplugged again");
  lane.set_in_service(true);
  CHECK(lane.state_name() == "idle");
  CHECK(release_out());  // still no scanner
  CHECK(red());
  lane.on_scanner_connection(true, "back");
  CHECK_FALSE(release_out());
  vt.advance(5s);
  CHECK_FALSE(red());
}

TEST_CASE_METHOD(EntrySafetyFixture, "a shopper still in the barrier when the grant times out is admitted, not cancelled") {
  admit_one("s1");
  lane.on_beams(true, false);
  vt.advance(8s);
  REQUIRE(lane.state_name() == "closing");
  CHECK(reports.cancelled.empty());
  lane.on_beams(true, true);
  lane.on_beams(false, true);
  lane.on_passage(Direction::in);
  lane.on_beams(false, false);
  CHECK(lane.state_name() == "idle");
  CHECK_FALSE(release_in());
  REQUIRE(reports.passages.size() == 1);
  CHECK(reports.passages[0].kind == PassageKind::admitted);
  CHECK(reports.passages[0].session == "s1");
  CHECK(reports.cancelled.empty());
  CHECK(count(AlarmKind::tailgate) == 0);
}

TEST_CASE_METHOD(EntrySafetyFixture, "an admission answered after the fire alarm is cancelled without a red flash or a beep") {
  lane.on_scan("t1");
  REQUIRE(admission.open() == 1);
  lane.on_alarm(true);
  const auto shown = io.last_display(1);
  const auto red_changes = io.changes_of("lane1.led_red").size();
  const auto buzzer_changes = io.changes_of("lane1.buzzer").size();
  admission.admit("s1", 1);  // the answer comes in during the evacuation
  CHECK(reports.cancelled == std::vector<std::string>{"s1"});
  CHECK(io.changes_of("lane1.led_red").size() == red_changes);
  CHECK(io.changes_of("lane1.buzzer").size() == buzzer_changes);
  CHECK(io.last_display(1) == shown);
  CHECK(release_in());
  CHECK(release_out());
}

TEST_CASE_METHOD(EntrySafetyFixture, "a shopper still in the barrier when the lane faults is admitted on walking in, not cancelled") {
  admit_one("s1");
  lane.on_beams(true, true);
  vt.advance(8s + 6s);  // the grant times out, then three close retries fail
  REQUIRE(lane.state_name() == "fault");
  CHECK(reports.cancelled.empty());  // the shopper in the barrier may be s1's
  CHECK(lane.grant_open_for("s1"));  // an operator's cancel is refused meanwhile
  CHECK(lane.passage_in_progress());  // and a stop waits for it
  lane.on_beams(false, true);
  lane.on_passage(Direction::in);
  lane.on_beams(false, false);
  CHECK(lane.state_name() == "idle");
  REQUIRE(reports.passages.size() == 1);
  CHECK(reports.passages[0].kind == PassageKind::admitted);
  CHECK(reports.passages[0].session == "s1");
  CHECK(reports.cancelled.empty());
  CHECK(count(AlarmKind::forced) == 0);
  CHECK(count(AlarmKind::tailgate) == 0);
  CHECK_FALSE(lane.grant_open_for("s1"));
}

TEST_CASE_METHOD(EntrySafetyFixture, "a lane taken out of service with a shopper in the barrier keeps their grant until it is clear") {
  admit_one("s1");
  lane.on_beams(true, false);
  vt.advance(8s);
  REQUIRE(lane.state_name() == "closing");
  lane.set_in_service(false);  // e.g. an operator reacting to barrier_obstructed
  REQUIRE(lane.state_name() == "out_of_service");
  CHECK(reports.cancelled.empty());
  lane.on_passage(Direction::in);
  REQUIRE(reports.passages.size() == 1);
  CHECK(reports.passages[0].kind == PassageKind::admitted);
  CHECK(reports.passages[0].session == "s1");
  lane.on_beams(false, false);
  CHECK(reports.cancelled.empty());
}

TEST_CASE_METHOD(EntrySafetyFixture, "a lingering grant nobody used is cancelled once the lane is clear, and only then") {
  admit_one("s1");
  lane.on_beams(true, true);
  vt.advance(8s + 6s);
  REQUIRE(lane.state_name() == "fault");
  lane.on_beams(false, true);  // they back out through the free egress
  CHECK(reports.cancelled.empty());
  lane.on_passage(Direction::out);
  lane.on_beams(false, false);
  CHECK(reports.cancelled == std::vector<std::string>{"s1"});
  CHECK_FALSE(lane.passage_in_progress());
}
