// The Gate above the lanes in virtual time, driven through a FakeIoBackend as the rig or the
// hardware would: the fire alarm, lanes in and out of service, lane status and alarm
// counters, scanner faults, the scan filter and the input levels for the control socket.
#include <catch2/catch.hpp>

#include <algorithm>
#include <utility>
#include <vector>

#include "controller/lanes/gate.hpp"
#include "hw/fake_io_backend.hpp"
#include "hw/gate_lines.hpp"
#include "tests/lanes/lane_fakes.hpp"

using namespace std::chrono_literals;
using passgate::controller::AlarmKind;
using passgate::controller::GateConfig;
using passgate::controller::InputLevel;
using passgate::controller::LaneKind;

namespace {

GateConfig two_lanes(std::chrono::milliseconds debounce) {
  GateConfig config;
  config.lanes = {passgate::test::lane_config(1, LaneKind::entry), passgate::test::lane_config(2, LaneKind::exit)};
  config.io.sim_debounce = debounce;
  config.io.scan_repeat_window = 2000ms;
  config.io.scan_max_length = 64;
  return config;
}

struct GateFixture {
  explicit GateFixture(std::chrono::milliseconds debounce = 0ms) : config(two_lanes(debounce)) {
    io.set_input_lines(passgate::hw::gate_lines({1}, {2}).inputs);
  }

  passgate::VirtualTime vt;
  passgate::hw::FakeIoBackend io{vt};
  passgate::test::ScriptedAdmission admission{vt};
  passgate::test::RecordedReports reports;
  GateConfig config;
  passgate::controller::Gate gate{config, io, vt, vt, admission, reports};

  bool all_releases(bool level) const {
    return io.output("lane1.release_in") == level && io.output("lane1.release_out") == level &&
           io.output("lane2.release_in") == level && io.output("lane2.release_out") == level;
  }
  const InputLevel& input(const std::string& line) const {
    levels = gate.inputs();
    const auto it = std::find_if(levels.begin(), levels.end(), [&](const InputLevel& l) { return l.line == line; });
    REQUIRE(it != levels.end());
    return *it;
  }
  mutable std::vector<InputLevel> levels;
};

}  // namespace

namespace {

struct RecordingObserver final : passgate::controller::GateObserver {
  void on_input_changed(const std::string& line) override { inputs.push_back(line); }
  void on_scan_read(const std::string& scanner, const std::string& text) override {
    scans.push_back(scanner + " " + text);
  }
  void on_scanner_connection(const std::string& scanner, bool connected, const std::string& detail) override {
    connections.push_back(scanner + (connected ? " connected " : " lost ") + detail);
  }
  void on_scan_answered(int lane, const passgate::controller::AdmissionResult& answer) override {
    answers.push_back(std::to_string(lane) + (answer.admitted ? " admitted" : " denied ") +
                      (answer.admitted ? "" : std::string(passgate::to_string(answer.reason))));
  }
  std::vector<std::string> inputs, scans, connections, answers;
};

}  // namespace

TEST_CASE_METHOD(GateFixture, "every lane is free until the fire alarm loop is known clear, and again when it is not") {
  CHECK(gate.fire_alarm());
  CHECK(all_releases(true));
  io.input("fire_alarm", false);
  CHECK_FALSE(gate.fire_alarm());
  CHECK(all_releases(false));
  io.clear_history();
  io.input("fire_alarm", true);
  CHECK(all_releases(true));  // in the same call, every lane
  for (const auto& c : io.output_changes()) CHECK(c.at == io.output_changes().front().at);
}

TEST_CASE_METHOD(GateFixture, "observers hear of the fire alarm raised and cleared only after every lane's releases") {
  // What card entry pauses on (controller/card_entry/card_lanes.hpp): never before the latch.
  struct AlarmObserver final : passgate::controller::GateObserver {
    explicit AlarmObserver(const GateFixture& f) : fixture(f) {}
    void on_input_changed(const std::string& /*line*/) override {}
    void on_scan_read(const std::string& /*scanner*/, const std::string& /*text*/) override {}
    void on_scanner_connection(const std::string& /*scanner*/, bool /*connected*/, const std::string& /*detail*/) override {}
    void on_fire_alarm(bool active) override { told.emplace_back(active, fixture.all_releases(active)); }
    const GateFixture& fixture;
    std::vector<std::pair<bool, bool>> told;  // (active, every release at that level then)
  } observer(*this);
  gate.add_observer(observer);
  io.input("fire_alarm", false);
  io.input("fire_alarm", true);
  io.input("fire_alarm", true);  // no change: not told again
  gate.remove_observer(observer);
  CHECK(observer.told == std::vector<std::pair<bool, bool>>{{false, true}, {true, true}});
}

TEST_CASE_METHOD(GateFixture, "the fire alarm cancels no grant in its handler: an unused one lingers, cancelled later") {
  io.input("fire_alarm", false);
  io.scan("lane1.entry", "token-a");
  admission.admit("s1", 1);
  vt.run_ready();
  REQUIRE(gate.lane(1)->state_name() == "admitting");
  // A grant's cancel is a synced write in the daemon: none runs while the alarm is handled (its
  // shopper may still walk in); it is cancelled a grant time-out later, every lane free.
  std::vector<bool> at_cancel;
  reports.on_grant_unused = [&] { at_cancel.push_back(all_releases(true)); };
  io.input("fire_alarm", true);
  CHECK(reports.cancelled.empty());
  CHECK(all_releases(true));
  vt.advance(8s);
  CHECK(reports.cancelled == std::vector<std::string>{"s1"});
  CHECK(at_cancel == std::vector<bool>{true});
  reports.on_grant_unused = nullptr;
}

TEST_CASE_METHOD(GateFixture, "the fire alarm writes every lane's egress, then every entry release, before any light") {
  io.input("fire_alarm", false);
  io.scan("lane1.entry", "token-a");
  admission.admit("s1", 1);
  vt.run_ready();
  REQUIRE(io.output("lane1.led_green"));  // a light to switch off: perhaps on a slow expander
  io.clear_history();
  io.input("fire_alarm", true);
  std::vector<std::string> order;
  for (const auto& c : io.output_changes()) order.push_back(c.line + (c.active ? "=1" : "=0"));
  INFO(Catch::Detail::stringify(order));
  REQUIRE(order.size() >= 4);
  // Lane 1's release_in is on already (its grant); every other release comes first.
  const std::vector<std::string> releases(order.begin(), order.begin() + 3);
  CHECK(std::is_permutation(releases.begin(), releases.end(),
                            std::vector<std::string>{"lane1.release_out=1", "lane2.release_in=1", "lane2.release_out=1"}
                                .begin()));
  // Egress first on every lane, then entry.
  CHECK(std::is_permutation(order.begin(), order.begin() + 2,
                            std::vector<std::string>{"lane1.release_out=1", "lane2.release_out=1"}.begin()));
  CHECK(std::find(order.begin(), order.end(), "lane1.led_green=0") != order.end());
  CHECK(all_releases(true));
}

TEST_CASE_METHOD(GateFixture, "after the fire alarm each lane comes back on its own once its beams are clear") {
  io.input("fire_alarm", false);
  io.input("fire_alarm", true);
  io.input("lane1.beam_outer", true);
  io.input("fire_alarm", false);
  CHECK(gate.lane(1)->state_name() == "emergency_clearing");
  CHECK(gate.lane(2)->state_name() == "closed");
  CHECK(io.output("lane1.release_in"));
  CHECK_FALSE(io.output("lane2.release_out"));
  io.input("lane1.beam_outer", false);
  CHECK(gate.lane(1)->state_name() == "idle");
  CHECK(all_releases(false));
}

TEST_CASE_METHOD(GateFixture, "lanes go out of service and back by number, an unknown lane is an error") {
  io.input("fire_alarm", false);
  REQUIRE(gate.set_in_service(1, false).ok());
  CHECK(gate.lane(1)->state_name() == "out_of_service");
  io.scan("lane1.entry", "token");
  CHECK(admission.open() == 0);
  CHECK(io.last_display(1) == "lane_unavailable");
  CHECK(io.output("lane1.release_out"));

  const auto unknown = gate.set_in_service(7, false);
  REQUIRE_FALSE(unknown.ok());
  CHECK(unknown.error().code == "unknown_lane");
  CHECK(unknown.error().message == "lane 7 is not configured");

  REQUIRE(gate.set_in_service(1, true).ok());
  CHECK(gate.lane(1)->state_name() == "idle");
  CHECK_FALSE(io.output("lane1.release_out"));
}

TEST_CASE("lanes configured out of service never drive a release off before the fire alarm is known clear") {
  passgate::VirtualTime vt;
  passgate::hw::FakeIoBackend io{vt};
  passgate::test::ScriptedAdmission admission{vt};
  passgate::test::RecordedReports reports;
  GateConfig config = two_lanes(0ms);
  for (auto& lane : config.lanes) lane.out_of_service = true;
  passgate::controller::Gate gate{config, io, vt, vt, admission, reports};
  for (const auto& line : {"lane1.release_in", "lane1.release_out", "lane2.release_in", "lane2.release_out"}) {
    CHECK(io.output(line));
    for (const auto& change : io.changes_of(line)) CHECK(change.active);
  }
  io.input("fire_alarm", false);
  CHECK(gate.lane(1)->state_name() == "out_of_service");
  CHECK(gate.lane(2)->state_name() == "out_of_service");
  CHECK_FALSE(io.output("lane1.release_in"));
  CHECK(io.output("lane1.release_out"));
  CHECK_FALSE(io.output("lane2.release_in"));
  CHECK(io.output("lane2.release_out"));
}

TEST_CASE_METHOD(GateFixture, "refresh_outputs puts a lane's lines back to what it wants, an unknown lane is an error") {
  io.input("fire_alarm", false);
  REQUIRE(gate.set_in_service(2, false).ok());
  io.set_output("lane2.release_out", false);  // behind the lane's back (a hw pulse)
  io.set_output("lane2.release_in", true);
  io.set_output("lane2.led_green", true);
  io.set_output("lane1.release_in", true);
  REQUIRE(gate.refresh_outputs(2).ok());
  CHECK(io.output("lane2.release_out"));
  CHECK_FALSE(io.output("lane2.release_in"));
  CHECK_FALSE(io.output("lane2.led_green"));
  CHECK(io.output("lane2.led_red"));
  CHECK(io.output("lane1.release_in"));  // another lane's lines are not touched

  const auto unknown = gate.refresh_outputs(7);
  REQUIRE_FALSE(unknown.ok());
  CHECK(unknown.error().code == "unknown_lane");
}

TEST_CASE_METHOD(GateFixture, "refresh_outputs during the fire alarm keeps both releases on") {
  io.set_output("lane1.release_in", false);
  REQUIRE(gate.refresh_outputs(1).ok());
  CHECK(all_releases(true));
}

TEST_CASE_METHOD(GateFixture, "lane status: kind, state, service, scanner and alarm counters") {
  io.input("fire_alarm", false);
  gate.on_scanner_connection("lane1.entry", false, "unplugged");
  REQUIRE(gate.set_in_service(2, false).ok());
  // A wrong-way passage through the entry lane.
  io.input("lane1.beam_inner", true);
  io.input("lane1.beam_outer", true);
  io.input("lane1.beam_inner", false);
  io.input("lane1.beam_outer", false);

  const auto status = gate.lane_status();
  REQUIRE(status.size() == 2);
  CHECK(status[0].number == 1);
  CHECK(status[0].kind == LaneKind::entry);
  CHECK(status[0].state == "idle");
  CHECK(status[0].in_service);
  CHECK(status[0].scanner_connected == false);
  CHECK(status[0].alarms.count(AlarmKind::wrong_way) == 1);
  CHECK(status[0].alarms.active_list() == std::vector<AlarmKind>{AlarmKind::scanner_fault});
  CHECK(status[1].number == 2);
  CHECK(status[1].kind == LaneKind::exit);
  CHECK(status[1].state == "out_of_service");
  CHECK_FALSE(status[1].in_service);
  CHECK_FALSE(status[1].scanner_connected.has_value());
  CHECK(status[1].alarms.active_list().empty());
  REQUIRE(reports.passages.size() == 1);
  CHECK(reports.passages[0].kind == passgate::controller::PassageKind::wrong_way);

  gate.on_scanner_connection("lane1.entry", true, "back");
  CHECK(gate.lane_status()[0].scanner_connected == true);
  CHECK(gate.lane_status()[0].alarms.active_list().empty());
  CHECK(gate.lane_status()[0].alarms.count(AlarmKind::scanner_fault) == 1);
}

TEST_CASE_METHOD(GateFixture, "a code read again within the repeat window reaches the lane once") {
  io.input("fire_alarm", false);
  io.scan("lane1.entry", "]Q1token-a\r\n");
  CHECK(admission.open() == 1);
  CHECK(admission.requests[0].token == "token-a");
  vt.advance(1500ms);
  io.scan("lane1.entry", "token-a\r");  // the same code, normalized
  CHECK(admission.open() == 1);
  io.scan("lane1.entry", "token-b");
  CHECK(admission.open() == 2);
  vt.advance(2001ms);
  io.scan("lane1.entry", "token-b");
  CHECK(admission.open() == 3);
}

TEST_CASE_METHOD(GateFixture, "over-long and non-printable reads never reach admission and are denied as malformed") {
  RecordingObserver seen;
  gate.set_observer(&seen);
  io.input("fire_alarm", false);
  for (const std::string& read : {std::string(65, 'a'), std::string("tok\x07" "en"), std::string("caf\xc3\xa9"),
                                  std::string("nul\0byte", 8)}) {
    INFO(read.size() << " bytes");
    io.clear_history();
    io.scan("lane1.entry", read);
    vt.run_ready();
    CHECK(admission.open() == 0);
    CHECK(io.last_display(1) == "malformed");  // the shopper is told
    CHECK(io.output("lane1.led_red"));
    CHECK(io.pulses("lane1.buzzer").size() == 1);
    CHECK(gate.lane(1)->state_name() == "idle");
    vt.advance(2s);
  }
  // Each is answered like any other denial (the metrics and the log count it by its reason).
  REQUIRE(seen.answers.size() == 4);
  for (const auto& answer : seen.answers) CHECK(answer == "1 denied malformed");
  io.scan("lane1.entry", std::string(64, 'a'));
  CHECK(admission.open() == 1);
}

TEST_CASE_METHOD(GateFixture, "a refused read while a grant is open is denied without closing the grant") {
  io.input("fire_alarm", false);
  io.scan("lane1.entry", "token-a");
  admission.admit("s1", 1);
  io.scan("lane1.entry", std::string("\x01\x02", 2));
  vt.run_ready();
  CHECK(io.last_display(1) == "malformed");
  CHECK(io.output("lane1.release_in"));
  CHECK(gate.lane(1)->state_name() == "admitting");
}

TEST_CASE("inputs list every input line with its raw and debounced level") {
  GateFixture f(10ms);
  const auto all = f.gate.inputs();
  std::vector<std::string> names;
  for (const auto& l : all) names.push_back(l.line);
  CHECK(names == std::vector<std::string>{"fire_alarm", "lane1.beam_outer", "lane1.beam_inner", "lane1.passage",
                                          "lane2.beam_outer", "lane2.beam_inner", "lane2.passage"});
  CHECK_FALSE(f.input("fire_alarm").raw.has_value());  // not reported yet: unknown
  CHECK(f.input("fire_alarm").debounced);               // unknown = alarm
  CHECK_FALSE(f.input("lane1.beam_outer").raw.has_value());  // unknown until reported
  CHECK_FALSE(f.input("lane1.beam_outer").debounced);         // the lanes take it as inactive

  f.io.input("fire_alarm", false);
  f.io.input("lane2.beam_inner", true);
  CHECK(f.input("fire_alarm").raw == false);
  CHECK(f.input("fire_alarm").debounced);
  CHECK(f.input("lane2.beam_inner").raw == true);
  CHECK_FALSE(f.input("lane2.beam_inner").debounced);
  f.vt.advance(10ms);
  CHECK_FALSE(f.input("fire_alarm").debounced);
  CHECK(f.input("lane2.beam_inner").debounced);

  f.io.input("lane9.beam_outer", true);  // not configured: ignored, not listed
  CHECK(f.gate.inputs().size() == all.size());
}

TEST_CASE("inputs list only the lines the backend has: an unwired passage sensor is not shown") {
  GateFixture f;
  f.io.set_input_lines({"fire_alarm", "lane1.beam_outer", "lane1.beam_inner", "lane2.beam_outer", "lane2.beam_inner"});
  std::vector<std::string> names;
  for (const auto& l : f.gate.inputs()) names.push_back(l.line);
  CHECK(names ==
        std::vector<std::string>{"fire_alarm", "lane1.beam_outer", "lane1.beam_inner", "lane2.beam_outer", "lane2.beam_inner"});
}

TEST_CASE("the fire alarm's cause: not read yet, the backend's lost link, the loop itself, and none once clear") {
  GateFixture f;
  REQUIRE(f.gate.fire_alarm());
  CHECK(f.gate.fire_alarm_cause()->code == "not_reported");

  f.io.hold_fire_alarm("no rig connected (sim backend)");
  f.io.input("fire_alarm", true);
  CHECK(f.gate.fire_alarm_cause()->code == "link_lost");
  CHECK(f.gate.fire_alarm_cause()->text == "no rig connected (sim backend)");

  f.io.hold_fire_alarm(std::nullopt);
  CHECK(f.gate.fire_alarm_cause()->code == "alarm_input");
  CHECK(f.gate.fire_alarm_cause()->text.find("fire_alarm input is active") != std::string::npos);

  f.io.input("fire_alarm", false);
  CHECK_FALSE(f.gate.fire_alarm());
  CHECK_FALSE(f.gate.fire_alarm_cause().has_value());
}


TEST_CASE("the observer hears of raw and debounced input changes, raw reads and scanner connections") {
  GateFixture f(10ms);
  RecordingObserver seen;
  f.gate.set_observer(&seen);
  f.io.input("lane1.beam_outer", true);
  CHECK(seen.inputs == std::vector<std::string>{"lane1.beam_outer"});  // raw
  f.io.input("lane1.beam_outer", true);                                 // no change
  CHECK(seen.inputs.size() == 1);
  f.vt.advance(10ms);
  CHECK(seen.inputs == std::vector<std::string>{"lane1.beam_outer", "lane1.beam_outer"});  // debounced
  f.io.input("fire_alarm", false);
  f.vt.advance(10ms);
  CHECK(seen.inputs.back() == "fire_alarm");

  f.io.scan("lane1.entry", "]Q1raw\r");
  f.io.scan("lane1.entry", "]Q1raw\r");  // a repeat, still seen raw
  CHECK(seen.scans == std::vector<std::string>{"lane1.entry ]Q1raw\r", "lane1.entry ]Q1raw\r"});

  f.gate.on_scanner_connection("lane1.entry", false, "unplugged");
  CHECK(seen.connections == std::vector<std::string>{"lane1.entry lost unplugged"});

  f.gate.set_observer(nullptr);
  f.io.input("lane1.beam_outer", false);
  CHECK(seen.inputs.size() == 4);
}
