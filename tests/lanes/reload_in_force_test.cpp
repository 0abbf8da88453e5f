// The gate's live settings are in force after a reload, by what the running gate then does:
// started from a config with value A, reloaded as the daemon does
// (controller::apply_live_settings with the config changed in that one key), and probed for
// value B: the scan filter's repeat window, and the log level (a debug line appears).
// tests/config/config_live_settings_test.cpp names these tests for their keys.
#include <catch2/catch.hpp>

#include "controller/lanes/gate.hpp"
#include "controller/live_components.hpp"
#include "hw/fake_io_backend.hpp"
#include "tests/lanes/lane_fakes.hpp"
#include "tests/support/captured_log.hpp"

using namespace std::chrono_literals;
using passgate::controller::GateConfig;
using passgate::controller::LaneKind;

namespace {

GateConfig gate_reload_config() {
  GateConfig config;
  config.lanes = {passgate::test::lane_config(1, LaneKind::entry), passgate::test::lane_config(2, LaneKind::exit)};
  config.io.sim_debounce = 0ms;
  return config;
}

// A gate started from a config (as the daemon starts it) and reloaded as the daemon does.
struct GateReloadFixture {
  explicit GateReloadFixture(GateConfig start) : config(std::move(start)) { io.input("fire_alarm", false); }
  void reload(const GateConfig& next) {
    passgate::controller::LiveComponents live;
    live.gate = &gate;
    passgate::controller::apply_live_settings(live, next);
  }

  passgate::VirtualTime vt;
  passgate::hw::FakeIoBackend io{vt};
  passgate::test::ScriptedAdmission admission{vt};
  passgate::test::RecordedReports reports;
  GateConfig config;
  passgate::controller::Gate gate{config, io, vt, vt, admission, reports};
};

}  // namespace

TEST_CASE("after a reload, io.scan_repeat_window_ms is the window in which a code read again counts once") {
  GateConfig config = gate_reload_config();
  config.io.scan_repeat_window = 2000ms;
  GateReloadFixture f(config);
  f.io.scan("lane1.entry", "token-a");
  REQUIRE(f.admission.open() == 1);
  f.vt.advance(600ms);
  f.io.scan("lane1.entry", "token-a");
  CHECK(f.admission.open() == 1);  // within 2000 ms: a repeat

  config.io.scan_repeat_window = 500ms;
  f.reload(config);
  f.io.scan("lane1.entry", "token-b");
  CHECK(f.admission.open() == 2);
  f.vt.advance(600ms);
  f.io.scan("lane1.entry", "token-b");
  CHECK(f.admission.open() == 3);  // 600 ms later: past the new window, a new read
  f.vt.advance(400ms);
  f.io.scan("lane1.entry", "token-b");
  CHECK(f.admission.open() == 3);  // within 500 ms: still a repeat
}

TEST_CASE("after a reload, logging.level debug logs the debug lines it did not before") {
  passgate::test::CapturedLog log;
  GateConfig config = gate_reload_config();
  config.logging.level = "info";
  GateReloadFixture f(config);
  f.reload(config);  // the level the daemon started with (setup_logging sets it the same way)
  f.io.scan("lane1.entry", "token-a");
  f.io.scan("lane1.entry", "token-a");  // a repeat: logged at debug
  REQUIRE(f.admission.open() == 1);
  CHECK(log.count("event=scan_repeated") == 0);

  config.logging.level = "debug";
  f.reload(config);
  f.io.scan("lane1.entry", "token-a");
  CHECK(log.count("event=scan_repeated") == 1);

  config.logging.level = "warn";
  f.reload(config);
  f.io.scan("lane1.entry", "token-a");
  CHECK(log.count("event=scan_repeated") == 1);
}

// The lanes' live settings, through Gate::reconfigure as a reload reaches them.

TEST_CASE("after a reload, lanes.*.beam_blocked_alarm_ms is how long a beam may stay blocked") {
  GateConfig config = gate_reload_config();
  config.lanes.at(0).beam_blocked_alarm = 20s;
  GateReloadFixture f(config);
  config.lanes.at(0).beam_blocked_alarm = 5s;
  f.reload(config);
  f.io.input("lane1.beam_outer", true);
  f.vt.advance(4999ms);
  CHECK(f.io.last_display(1) != "alarm: beam_blocked");
  f.vt.advance(1ms);
  CHECK(f.io.last_display(1) == "alarm: beam_blocked");  // at 5 s, not 20 s
}

namespace {

// Admits one shopper on lane 1, who then stands in the barrier: the grant runs out (8 s) and
// the lane tries to close the barrier.
void block_the_closing_barrier(GateReloadFixture& f) {
  f.io.scan("lane1.entry", "token-blocker");
  REQUIRE(f.admission.open() == 1);
  f.admission.admit("s1", 1);
  f.io.input("lane1.beam_outer", true);
  f.io.input("lane1.beam_inner", true);
  f.vt.advance(8s);
  REQUIRE(f.gate.lane(1)->state_name() == "closing");
}

}  // namespace

TEST_CASE("after a reload, lanes.*.close_retry_ms is the wait between tries to close a blocked barrier") {
  GateConfig config = gate_reload_config();  // 3 retries, 2 s apart: fault after 6 s
  GateReloadFixture f(config);
  config.lanes.at(0).close_retry = 1s;
  f.reload(config);
  block_the_closing_barrier(f);
  f.vt.advance(2999ms);
  CHECK(f.gate.lane(1)->state_name() == "closing");
  f.vt.advance(1ms);
  CHECK(f.gate.lane(1)->state_name() == "fault");  // 3 retries 1 s apart
}

TEST_CASE("after a reload, lanes.*.close_retries is how many tries close a blocked barrier before the fault") {
  GateConfig config = gate_reload_config();  // 3 retries, 2 s apart: fault after 6 s
  GateReloadFixture f(config);
  config.lanes.at(0).close_retries = 1;
  f.reload(config);
  block_the_closing_barrier(f);
  f.vt.advance(1999ms);
  CHECK(f.gate.lane(1)->state_name() == "closing");
  f.vt.advance(1ms);
  CHECK(f.gate.lane(1)->state_name() == "fault");  // after 1 retry
}
