// The Gate's part in a reload and a stop, in virtual time: lane settings and the scan
// filter's limits change while it runs (out_of_service only when the file changed it), and
// when the daemon stops, new scans are refused while a passage under way finishes; the fire
// alarm never counts as a passage.
#include <catch2/catch.hpp>

#include "controller/lanes/gate.hpp"
#include "hw/fake_io_backend.hpp"
#include "tests/lanes/lane_fakes.hpp"

using namespace std::chrono_literals;
using passgate::controller::GateConfig;
using passgate::controller::LaneKind;
using passgate::controller::PassageKind;

namespace {

struct LifecycleFixture {
  LifecycleFixture() { io.input("fire_alarm", false); }

  static GateConfig make_config() {
    GateConfig config;
    config.lanes = {passgate::test::lane_config(1, LaneKind::entry), passgate::test::lane_config(2, LaneKind::exit)};
    config.io.sim_debounce = 0ms;
    return config;
  }

  void walk_in(int lane) {
    const std::string n = "lane" + std::to_string(lane);
    io.input(n + ".beam_outer", true);
    io.input(n + ".beam_inner", true);
    io.input(n + ".beam_outer", false);
    io.input(n + ".beam_inner", false);
  }

  passgate::VirtualTime vt;
  passgate::hw::FakeIoBackend io{vt};
  passgate::test::ScriptedAdmission admission{vt};
  passgate::test::RecordedReports reports;
  GateConfig config = make_config();
  passgate::controller::Gate gate{config, io, vt, vt, admission, reports};
};

}  // namespace

TEST_CASE_METHOD(LifecycleFixture, "a reload changes a lane's settings from their next use") {
  GateConfig next = config;
  next.lanes.at(0).grant_timeout = 3000ms;
  next.lanes.at(0).group_limit = 2;
  gate.reconfigure(next);

  io.scan("lane1.entry", "token-a");
  REQUIRE(admission.open() == 1);
  CHECK(admission.requests.front().group_limit == 2);
  admission.admit("s1", 5);
  CHECK(io.last_display(1) == "admit 2");
  vt.advance(2999ms);
  CHECK(gate.lane(1)->state_name() == "admitting");
  vt.advance(1ms);
  CHECK(gate.lane(1)->state_name() == "idle");  // the new 3 s, not the default 8 s
}

TEST_CASE_METHOD(LifecycleFixture, "a reload applies out_of_service only when the file changed it") {
  REQUIRE(gate.set_in_service(2, false).ok());  // the operator's choice
  gate.reconfigure(config);                     // nothing changed in the file
  CHECK(gate.lane(2)->state_name() == "out_of_service");

  GateConfig next = config;
  next.lanes.at(0).out_of_service = true;
  gate.reconfigure(next);
  CHECK(gate.lane(1)->state_name() == "out_of_service");
  next.lanes.at(0).out_of_service = false;
  gate.reconfigure(next);
  CHECK(gate.lane(1)->state_name() == "idle");
  CHECK(gate.lane(2)->state_name() == "out_of_service");
}

TEST_CASE_METHOD(LifecycleFixture, "a reload leaves a lane whose kind changed alone, and keeps the scan length limit") {
  GateConfig next = config;
  next.lanes.at(1).kind = LaneKind::entry;
  next.lanes.at(1).out_of_service = true;
  next.io.scan_max_length = 4;
  gate.reconfigure(next);
  CHECK(gate.lane(2)->state_name() == "closed");

  // The scanner drivers cut reads at the start-up limit; the filter keeps it too.
  io.scan("lane1.entry", "12345");
  CHECK(admission.open() == 1);
}

TEST_CASE_METHOD(LifecycleFixture, "stopping: new scans are refused while the passage under way finishes") {
  CHECK(gate.passages_in_progress() == 0);
  io.scan("lane1.entry", "token-a");
  CHECK(gate.passages_in_progress() == 1);  // checking the scan
  admission.admit("s1", 1);
  CHECK(gate.passages_in_progress() == 1);  // granted

  gate.stop_admitting();
  io.scan("lane1.entry", "token-b");
  CHECK(admission.open() == 0);
  CHECK(io.last_display(1) == "lane_unavailable");
  CHECK(io.output("lane1.release_in"));  // the grant is still open

  walk_in(1);
  REQUIRE(reports.passages.size() == 1);
  CHECK(reports.passages[0].kind == PassageKind::admitted);
  CHECK(reports.passages[0].session == "s1");
  CHECK(gate.passages_in_progress() == 0);
  io.scan("lane1.entry", "token-c");
  CHECK(admission.open() == 0);
}

TEST_CASE_METHOD(LifecycleFixture, "an idle entry lane shows it is closed when the gate stops") {
  gate.stop_admitting();
  CHECK(io.last_display(1) == "closed");
}

TEST_CASE_METHOD(LifecycleFixture, "an open exit lane is a passage under way, a lane under fire alarm never is") {
  io.input("lane2.beam_inner", true);
  CHECK(gate.lane(2)->state_name() == "open");
  CHECK(gate.passages_in_progress() == 1);

  io.scan("lane1.entry", "token-a");
  admission.admit("s1", 1);
  CHECK(gate.passages_in_progress() == 2);
  io.input("fire_alarm", true);
  CHECK(gate.passages_in_progress() == 0);
}
