// The fire alarm raised from inside a lane's own output write: a backend may report an
// input while the controller is still writing to it (a rig link dropped because its send
// queue overflowed did so synchronously). A lane day on an entry lane and an exit lane is
// replayed once per output write it makes, with the alarm raised inside that write: the
// lanes must go to the fire-alarm state (never a nested state-machine event, which
// Boost.Statechart forbids: it destroyed the reacting state under it), never drive a
// release off while the alarm lasts, and come back to normal service once it clears.
#include <catch2/catch.hpp>

#include <algorithm>
#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "controller/lanes/gate.hpp"
#include "hw/fake_io_backend.hpp"
#include "tests/lanes/lane_fakes.hpp"

using namespace std::chrono_literals;
using passgate::DenialReason;
using passgate::controller::GateConfig;
using passgate::controller::LaneKind;

namespace {

const std::vector<std::string> kReleases{"lane1.release_in", "lane1.release_out", "lane2.release_in",
                                         "lane2.release_out"};

struct LaneDay {
  LaneDay() {
    config.lanes = {passgate::test::lane_config(1, LaneKind::entry), passgate::test::lane_config(2, LaneKind::exit)};
    config.io.sim_debounce = 0ms;
    config.io.scan_repeat_window = 0ms;
    config.io.scan_max_length = 64;
    gate = std::make_unique<passgate::controller::Gate>(config, io, vt, vt, admission, reports);
    io.input("fire_alarm", false);
  }
  ~LaneDay() { io.on_write(nullptr); }
  LaneDay(const LaneDay&) = delete;
  LaneDay& operator=(const LaneDay&) = delete;

  passgate::VirtualTime vt;
  passgate::hw::FakeIoBackend io{vt};
  passgate::test::ScriptedAdmission admission{vt};
  passgate::test::RecordedReports reports;
  GateConfig config;
  std::unique_ptr<passgate::controller::Gate> gate;

  void beams(int lane, bool outer, bool inner) {
    io.input("lane" + std::to_string(lane) + ".beam_outer", outer);
    io.input("lane" + std::to_string(lane) + ".beam_inner", inner);
  }
  void walk(int lane, bool entering) {
    beams(lane, entering, !entering);
    beams(lane, true, true);
    beams(lane, !entering, entering);
    beams(lane, false, false);
  }
  // Answers the oldest open admission, if the lane asked for one (it does not in the fire alarm).
  void admit(const std::string& session) {
    if (admission.open() > 0) admission.admit(session, 1);
  }
  void deny() {
    if (admission.open() > 0) admission.deny(DenialReason::expired);
  }
  void scan(const std::string& text) {
    io.scan("lane1.entry", text);
    vt.run_ready();
  }
  void wait(std::chrono::milliseconds d) { vt.advance(d); }
  // Runs `during`; the first output write meanwhile for which `when` holds (any, if empty)
  // reports fire_alarm at each of `inside` in turn from inside it. Whether it did.
  bool alarm_inside_write(std::initializer_list<bool> inside, const std::function<void()>& during,
                          const std::function<bool()>& when = {}) {
    bool done = false;
    io.on_write([&] {
      if (done || (when && !when())) return;
      done = true;
      for (const bool level : inside) io.input("fire_alarm", level);
    });
    during();
    io.on_write(nullptr);
    return done;
  }
  [[nodiscard]] bool releases_on() const {
    for (const auto& line : kReleases) {
      if (!io.output(line)) return false;
    }
    return true;
  }
};

// A day touching every reaction that writes an output: denials, an unreadable scan, admits,
// passages, a tailgater, a grant time-out, a barrier held open into fault, a wrong way, the
// exit lane, out of service and back, a scanner lost and back, a beam blocked too long.
void live_a_day(LaneDay& d) {
  d.scan("token-denied");
  d.deny();
  d.scan(std::string("bad\x01scan"));
  d.scan("token-1");
  d.admit("s1");
  d.walk(1, true);
  d.walk(1, true);  // nobody granted: a tailgater
  d.scan("token-2");
  d.admit("s2");
  d.wait(d.config.lanes[0].grant_timeout + 1s);
  d.scan("token-3");
  d.admit("s3");
  d.beams(1, true, false);
  d.wait(d.config.lanes[0].grant_timeout + 1s);  // Closing: someone in the barrier
  for (int i = 0; i <= d.config.lanes[0].close_retries; ++i) d.wait(d.config.lanes[0].close_retry);  // Fault
  d.scan("token-in-fault");
  d.beams(1, false, false);
  d.walk(1, false);  // wrong way
  d.walk(2, false);  // the exit lane opens and someone leaves
  d.walk(2, true);   // wrong way through the exit lane
  (void)d.gate->set_in_service(1, false);
  d.scan("token-out-of-service");
  (void)d.gate->set_in_service(1, true);
  d.io.scanner_connection("lane1.entry", false, "unplugged");
  d.io.scanner_connection("lane1.entry", true, "back");
  d.beams(2, true, false);
  d.wait(d.config.lanes[1].beam_blocked_alarm + 1s);
  d.beams(2, false, false);
  d.scan("token-4");
  d.admit("s4");
  d.walk(1, true);
}

}  // namespace

TEST_CASE("the fire alarm raised inside any output write of any lane reaction takes over every lane") {
  std::size_t writes = 0;
  {
    LaneDay day;
    day.io.on_write([&] { ++writes; });
    live_a_day(day);
  }
  REQUIRE(writes > 50);

  for (std::size_t k = 1; k <= writes; ++k) {
    CAPTURE(k);
    LaneDay day;
    std::size_t seen = 0;
    std::optional<std::size_t> changes_at_alarm;
    day.io.on_write([&] {
      if (++seen != k) return;
      changes_at_alarm = day.io.output_changes().size();
      day.io.input("fire_alarm", true);  // from inside the write, as a dropped rig link did
    });
    live_a_day(day);
    day.io.on_write(nullptr);
    REQUIRE(changes_at_alarm);

    // Every lane free both ways, and no release driven off since the alarm.
    CHECK(day.releases_on());
    const auto& changes = day.io.output_changes();
    for (std::size_t i = *changes_at_alarm; i < changes.size(); ++i) {
      const bool release = std::find(kReleases.begin(), kReleases.end(), changes[i].line) != kReleases.end();
      CHECK_FALSE((release && !changes[i].active));
    }
    CHECK(day.gate->lane(1)->state_name().starts_with("emergency"));
    CHECK(day.gate->lane(2)->state_name().starts_with("emergency"));

    // The alarm clears with the lanes empty: both back to normal service.
    while (day.admission.open() > 0) day.deny();
    day.beams(1, false, false);
    day.beams(2, false, false);
    day.io.input("fire_alarm", false);
    CHECK(day.gate->lane(1)->state_name() == "idle");
    CHECK(day.gate->lane(2)->state_name() == "closed");
    CHECK_FALSE(day.io.output("lane1.release_in"));
    CHECK_FALSE(day.io.output("lane2.release_out"));
    day.scan("token-after");
    REQUIRE(day.admission.open() == 1);
    day.admit("s-after");
    CHECK(day.gate->lane(1)->state_name() == "admitting");
    CHECK(day.io.output("lane1.release_in"));
  }
}

TEST_CASE("an event that arrives while a lane handles one waits for it, then the outputs follow both") {
  LaneDay day;
  day.scan("token-1");
  // The denial's display write raises the alarm: Validating finishes denying first.
  bool raised = false;
  day.io.on_write([&] {
    if (raised) return;
    raised = true;
    day.io.input("fire_alarm", true);
  });
  day.deny();
  CHECK(raised);
  CHECK(day.gate->lane(1)->state_name() == "emergency");
  CHECK(day.releases_on());
  day.io.on_write(nullptr);
  day.io.input("fire_alarm", false);
  CHECK(day.gate->lane(1)->state_name() == "idle");
}

TEST_CASE("the fire alarm raised again while the lanes are told it cleared keeps every lane free") {
  LaneDay day;
  day.io.input("fire_alarm", true);
  bool raised = false;
  day.io.on_write([&] {  // the first lane to resume drives a release off: the alarm is back
    if (raised) return;
    raised = true;
    day.io.input("fire_alarm", true);
  });
  day.io.input("fire_alarm", false);
  REQUIRE(raised);
  day.io.on_write(nullptr);
  CHECK(day.gate->fire_alarm());
  CHECK(day.gate->lane(1)->state_name() == "emergency");
  CHECK(day.gate->lane(2)->state_name() == "emergency");
  CHECK(day.releases_on());
}

TEST_CASE("an alarm cleared inside the first release write of its own raise leaves no lane released after it") {
  LaneDay day;
  day.scan("token-a");
  day.admit("s1");
  day.wait(9s);  // the grant timed out unused: lane 1 idle, every release off
  REQUIRE(day.gate->lane(1)->state_name() == "idle");
  // The raise latches lane 1's egress first: by then the loop reads clear.
  REQUIRE(day.alarm_inside_write({false}, [&] { day.io.input("fire_alarm", true); }));
  CHECK_FALSE(day.gate->fire_alarm());
  day.scan("token-b");
  day.deny();  // the lane drives its releases again
  CHECK(day.gate->lane(1)->state_name() == "idle");
  CHECK(day.gate->lane(2)->state_name() == "closed");
  // Before: lane 1 stayed latched, released both ways with no grant and no alarm, until the
  // next alarm ended.
  for (const auto& line : kReleases) CHECK_FALSE(day.io.output(line));
  day.scan("token-c");
  day.admit("s2");
  CHECK(day.io.output("lane1.release_in"));
  day.walk(1, true);
  CHECK_FALSE(day.io.output("lane1.release_in"));
  CHECK(day.reports.passages.back().session == "s2");
}

TEST_CASE("an alarm cleared inside a write of a lane being told of it leaves that lane out of the alarm state") {
  LaneDay day;
  day.scan("token-a");
  day.admit("s1");  // lane 1 admitting: its green light goes off as it is told of the alarm
  REQUIRE(day.io.output("lane1.led_green"));
  REQUIRE(day.alarm_inside_write({false}, [&] { day.io.input("fire_alarm", true); }, [&] {
    const auto& last = day.io.output_changes().back();
    return last.line == "lane1.led_green" && !last.active;
  }));
  CHECK_FALSE(day.gate->fire_alarm());
  // Before: lane 1 went on into its fire-alarm state after the clear, released both ways with
  // no alarm until the next one ended.
  CHECK(day.gate->lane(1)->state_name() == "idle");
  CHECK(day.gate->lane(2)->state_name() == "closed");
  for (const auto& line : kReleases) CHECK_FALSE(day.io.output(line));
  CHECK(day.reports.cancelled == std::vector<std::string>{"s1"});  // the alarm ended its grant
}

TEST_CASE("an alarm cleared inside a lane's reaction ends the grants it left lingering, the lane being clear") {
  LaneDay day;
  day.scan("token-a");
  day.admit("s1");
  day.io.input("fire_alarm", true);  // s1 ended unused: it lingers a grant time-out at least
  // Lane 1 refuses a scan in the alarm: the alarm clears inside that refusal's write.
  REQUIRE(day.alarm_inside_write({false}, [&] { day.scan("token-in-the-alarm"); }));
  CHECK_FALSE(day.gate->fire_alarm());
  CHECK(day.gate->lane(1)->state_name() == "idle");
  CHECK(day.reports.cancelled == std::vector<std::string>{"s1"});
  CHECK_FALSE(day.gate->grant_open_for("s1"));
  day.walk(1, true);  // before: admitted on s1, a grant from before the alarm
  REQUIRE_FALSE(day.reports.passages.empty());
  CHECK(day.reports.passages.back().kind == passgate::controller::PassageKind::forced);
}

TEST_CASE("an alarm cleared and raised again inside one write of a lane in the alarm leaves it free") {
  LaneDay day;
  day.io.input("fire_alarm", true);
  // Lane 1's refusal of a scan: the loop flickers clear, then active.
  REQUIRE(day.alarm_inside_write({false, true}, [&] { day.scan("token-in-the-alarm"); }));
  CHECK(day.gate->fire_alarm());
  CHECK(day.gate->lane(1)->state_name() == "emergency");
  CHECK(day.gate->lane(2)->state_name() == "emergency");
  CHECK(day.releases_on());
}

TEST_CASE("a raise inside a grant time-out's write, overtaken by a clear, leaves no grant open to a stranger") {
  LaneDay day;
  day.scan("token-a");
  day.admit("s1");  // lane 1 admitting; nobody comes
  int writes = 0;
  day.io.on_write([&] {
    ++writes;
    if (writes == 1) day.io.input("fire_alarm", true);        // the time-out's green light off: the raise
    if (writes == 2) day.io.input("fire_alarm", false);       // the raise's first latch write: the clear
  });
  day.wait(day.config.lanes[0].grant_timeout + 1s);
  day.io.on_write(nullptr);
  REQUIRE(writes >= 2);
  CHECK_FALSE(day.gate->fire_alarm());
  // Before: the grant, ended while the lane was latched, lingered with no alarm to end it, and
  // someone forcing the closed barrier was an admitted passage of s1 (its shopper charged).
  CHECK_FALSE(day.gate->grant_open_for("s1"));
  CHECK(day.reports.cancelled == std::vector<std::string>{"s1"});
  day.wait(1s);
  day.walk(1, true);
  REQUIRE_FALSE(day.reports.passages.empty());
  CHECK(day.reports.passages.back().kind == passgate::controller::PassageKind::forced);
  CHECK_FALSE(day.reports.passages.back().session.has_value());
}

TEST_CASE("a clear and a raise inside one write of a lane in the alarm keep the grant the alarm left lingering") {
  LaneDay day;
  day.scan("token-a");
  day.admit("s1");                   // lane 1 admitting; s1's shopper, shown green, is a step away
  day.io.input("fire_alarm", true);  // s1 ended unused: it lingers a grant time-out at least
  // Lane 1's refusal of a scan: the loop flickers clear, then active.
  REQUIRE(day.alarm_inside_write({false, true}, [&] { day.scan("token-in-the-alarm"); }));
  CHECK(day.gate->fire_alarm());
  CHECK(day.gate->lane(1)->state_name() == "emergency");
  CHECK(day.releases_on());
  // Before: lane 1 took the clear, queued ahead of the raise, for the latest level, left the
  // alarm and cancelled s1; the raise took it back into the alarm, and s1's shopper walking in
  // was forced, s1 never charged.
  CHECK(day.reports.cancelled.empty());
  CHECK(day.gate->grant_open_for("s1"));
  day.wait(1s);
  day.walk(1, true);
  REQUIRE_FALSE(day.reports.passages.empty());
  CHECK(day.reports.passages.back().kind == passgate::controller::PassageKind::admitted);
  CHECK(day.reports.passages.back().session == "s1");
}

TEST_CASE("a raise inside a denial's write, then a clear and a raise inside its latch write, keep the grant lingering") {
  LaneDay day;
  day.scan("token-a");
  day.admit("s1");  // lane 1 admitting; nobody came yet
  day.scan("token-b");  // asked ahead
  int writes = 0;
  std::string flickered_in;
  day.io.on_write([&] {
    ++writes;
    if (writes == 1) day.io.input("fire_alarm", true);  // the denial's red light: the raise
    if (writes == 2) {                                  // the raise's latch of lane 1's egress: a flicker
      flickered_in = day.io.output_changes().back().line;
      day.io.input("fire_alarm", false);
      day.io.input("fire_alarm", true);
    }
  });
  day.deny();
  day.io.on_write(nullptr);
  REQUIRE(flickered_in == "lane1.release_out");
  CHECK(day.gate->fire_alarm());
  CHECK(day.gate->lane(1)->state_name() == "emergency");
  CHECK(day.releases_on());
  // Before: lane 1 dropped its latch on the stale clear, so the raise behind it ended s1 as if
  // there were no alarm: cancelled at once rather than lingering for its shopper.
  CHECK(day.reports.cancelled.empty());
  CHECK(day.gate->grant_open_for("s1"));
  day.walk(1, true);
  REQUIRE_FALSE(day.reports.passages.empty());
  CHECK(day.reports.passages.back().kind == passgate::controller::PassageKind::admitted);
  CHECK(day.reports.passages.back().session == "s1");
}
