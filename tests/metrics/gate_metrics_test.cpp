// GateMetrics on a real Gate in virtual time, driven through a FakeIoBackend: what became of
// each scan, admissions by mode, the scan-to-release latency (from the read at the gate to
// release_in driven on), passages by kind, and the gate's state read at every scrape.
#include <catch2/catch.hpp>

#include <memory>

#include "controller/lanes/gate.hpp"
#include "controller/metrics/gate.hpp"
#include "hw/fake_io_backend.hpp"
#include "tests/lanes/lane_fakes.hpp"

using namespace std::chrono_literals;
using namespace passgate;
using controller::AdmissionResult;
using controller::LaneKind;

namespace {

controller::GateConfig gate_config() {
  controller::GateConfig config;
  config.lanes = {test::lane_config(1, LaneKind::entry), test::lane_config(2, LaneKind::exit)};
  config.io.sim_debounce = 0ms;
  config.io.scan_repeat_window = 2000ms;
  config.io.scan_max_length = 64;
  return config;
}

bool has(const std::string& page, const std::string& line) { return page.find(line + "\n") != std::string::npos; }

struct GateMetricsFixture {
  GateMetricsFixture() { io.input("fire_alarm", false); }

  // Answers the oldest admission request by hand (offline admissions, which ScriptedAdmission
  // does not make).
  void answer(AdmissionResult result) {
    auto request = std::move(admission.requests.front());
    admission.requests.erase(admission.requests.begin());
    request.done(std::move(result));
  }
  std::string page() { return registry.render(); }

  VirtualTime vt;
  hw::FakeIoBackend io{vt};
  test::ScriptedAdmission admission{vt};
  test::RecordedReports reports;
  controller::GateConfig config = gate_config();
  controller::Gate gate{config, io, vt, vt, admission, reports};
  controller::metrics::Registry registry;
  std::unique_ptr<controller::GateMetrics> metrics = std::make_unique<controller::GateMetrics>(registry, gate);
};

}  // namespace

TEST_CASE_METHOD(GateMetricsFixture, "an admitted scan counts once and its scan-to-release latency is observed") {
  CHECK(has(page(), "passgate_scans_total{lane=\"1\",outcome=\"admitted\",reason=\"\"} 0"));
  io.scan("lane1.entry", "tok-1\r");
  vt.advance(30ms);
  admission.admit("s1", 1);
  REQUIRE(io.output("lane1.release_in"));
  const std::string p = page();
  CHECK(has(p, "passgate_scans_total{lane=\"1\",outcome=\"admitted\",reason=\"\"} 1"));
  CHECK(has(p, "passgate_admissions_total{lane=\"1\",mode=\"online\"} 1"));
  CHECK(has(p, "passgate_admissions_total{lane=\"1\",mode=\"offline\"} 0"));
  CHECK(has(p, "passgate_scan_to_release_seconds_bucket{mode=\"online\",le=\"0.025\"} 0"));
  CHECK(has(p, "passgate_scan_to_release_seconds_bucket{mode=\"online\",le=\"0.05\"} 1"));
  CHECK(has(p, "passgate_scan_to_release_seconds_bucket{mode=\"online\",le=\"+Inf\"} 1"));
  CHECK(has(p, "passgate_scan_to_release_seconds_sum{mode=\"online\"} 0.03"));
  CHECK(has(p, "passgate_scan_to_release_seconds_count{mode=\"online\"} 1"));
  CHECK(has(p, "passgate_scan_to_release_seconds_count{mode=\"offline\"} 0"));
  CHECK(has(p, "passgate_lane_state{lane=\"1\",state=\"admitting\"} 1"));

  // A second group scanned while the barrier is open: admitted, but it released nothing.
  io.scan("lane1.entry", "tok-2\r");
  answer(AdmissionResult{true, DenialReason::lane_unavailable, "s2", 1, true});
  const std::string q = page();
  CHECK(has(q, "passgate_admissions_total{lane=\"1\",mode=\"offline\"} 1"));
  CHECK(has(q, "passgate_scans_total{lane=\"1\",outcome=\"admitted\",reason=\"\"} 2"));
  CHECK(has(q, "passgate_scan_to_release_seconds_count{mode=\"online\"} 1"));
  CHECK(has(q, "passgate_scan_to_release_seconds_count{mode=\"offline\"} 0"));

  gate.on_passage(1, hw::PassageDirection::in);
  gate.on_passage(1, hw::PassageDirection::in);
  CHECK(has(page(), "passgate_passages_total{lane=\"1\",kind=\"admitted\"} 2"));
}

TEST_CASE_METHOD(GateMetricsFixture, "an offline admission is timed under mode offline") {
  io.scan("lane1.entry", "tok-1\r");
  vt.advance(2ms);
  answer(AdmissionResult{true, DenialReason::lane_unavailable, "s1", 1, true});
  const std::string p = page();
  CHECK(has(p, "passgate_scan_to_release_seconds_bucket{mode=\"offline\",le=\"0.001\"} 0"));
  CHECK(has(p, "passgate_scan_to_release_seconds_bucket{mode=\"offline\",le=\"0.0025\"} 1"));
  CHECK(has(p, "passgate_scan_to_release_seconds_sum{mode=\"offline\"} 0.002"));
}

TEST_CASE_METHOD(GateMetricsFixture, "denials count by reason, the lane's own refusals too") {
  io.scan("lane1.entry", "tok-1\r");
  admission.deny(DenialReason::expired);
  gate.on_fire_alarm(true);
  io.scan("lane1.entry", "tok-2\r");  // refused by the lane in its fire-alarm state
  const std::string p = page();
  CHECK(has(p, "passgate_scans_total{lane=\"1\",outcome=\"denied\",reason=\"expired\"} 1"));
  CHECK(has(p, "passgate_scans_total{lane=\"1\",outcome=\"denied\",reason=\"lane_unavailable\"} 1"));
  CHECK(has(p, "passgate_scans_total{lane=\"1\",outcome=\"admitted\",reason=\"\"} 0"));
  CHECK(has(p, "passgate_scan_to_release_seconds_count{mode=\"online\"} 0"));
  CHECK(has(p, "passgate_fire_alarm_active 1"));
}

TEST_CASE_METHOD(GateMetricsFixture, "reads the gate drops count as repeated or unknown_scanner, refused ones as malformed") {
  io.scan("lane1.entry", "tok-1\r");
  io.scan("lane1.entry", "tok-1\r");
  io.scan("lane1.entry", std::string(100, 'x') + "\r");
  io.scan("lane1.entry", std::string("tok\0-2\r", 7));
  vt.run_ready();
  io.scan("lane7.entry", "tok-3\r");
  const std::string p = page();
  CHECK(has(p, "passgate_scans_total{lane=\"1\",outcome=\"repeated\",reason=\"\"} 1"));
  CHECK(has(p, "passgate_scans_total{lane=\"1\",outcome=\"denied\",reason=\"malformed\"} 2"));
  CHECK(p.find("outcome=\"refused\"") == std::string::npos);
  CHECK(has(p, "passgate_scans_total{lane=\"\",outcome=\"unknown_scanner\",reason=\"\"} 1"));
}

TEST_CASE_METHOD(GateMetricsFixture, "the fire alarm, lane service, state, scanner and alarms are read at each scrape") {
  std::string p = page();
  CHECK(has(p, "passgate_fire_alarm_active 0"));
  CHECK(has(p, "passgate_lane_in_service{lane=\"1\"} 1"));
  CHECK(has(p, "passgate_lane_state{lane=\"1\",state=\"idle\"} 1"));
  CHECK(has(p, "passgate_lane_state{lane=\"2\",state=\"closed\"} 1"));
  CHECK(has(p, "passgate_lane_scanner_connected{lane=\"1\"} 1"));
  CHECK(p.find("passgate_lane_scanner_connected{lane=\"2\"}") == std::string::npos);  // exit lane: no scanner
  CHECK(has(p, "passgate_alarms_total{lane=\"1\",kind=\"forced\"} 0"));

  gate.on_passage(1, hw::PassageDirection::in);  // nobody granted: forced
  REQUIRE(gate.set_in_service(2, false).ok());
  gate.on_scanner_connection("lane1.entry", false, "unplugged");
  p = page();
  CHECK(has(p, "passgate_alarms_total{lane=\"1\",kind=\"forced\"} 1"));
  CHECK(has(p, "passgate_passages_total{lane=\"1\",kind=\"forced\"} 1"));
  CHECK(has(p, "passgate_lane_in_service{lane=\"2\"} 0"));
  CHECK(has(p, "passgate_lane_state{lane=\"2\",state=\"out_of_service\"} 1"));
  CHECK(p.find("passgate_lane_state{lane=\"2\",state=\"closed\"}") == std::string::npos);
  CHECK(has(p, "passgate_lane_scanner_connected{lane=\"1\"} 0"));
  CHECK(has(p, "passgate_alarm_active{lane=\"1\",kind=\"scanner_fault\"} 1"));
  CHECK(has(p, "passgate_alarms_total{lane=\"1\",kind=\"scanner_fault\"} 1"));
  CHECK(has(p, "passgate_lane_fault{lane=\"1\"} 0"));
}

TEST_CASE_METHOD(GateMetricsFixture, "gate metrics stop observing when destroyed, and the live view still works") {
  metrics.reset();
  struct Live final : controller::GateObserver {
    void on_input_changed(const std::string&) override {}
    void on_scan_read(const std::string&, const std::string&) override { ++reads; }
    void on_scanner_connection(const std::string&, bool, const std::string&) override {}
    int reads = 0;
  } live;
  gate.set_observer(&live);
  io.scan("lane1.entry", "tok-1\r");
  admission.admit("s1", 1);
  CHECK(live.reads == 1);
  CHECK(io.output("lane1.release_in"));
}

TEST_CASE_METHOD(GateMetricsFixture, "card decisions count by outcome apart from scans, and card entry is read at each scrape") {
  controller::CardEntryStatus status{false, "reader_offline", "reader_off"};
  gate.set_card_entry_source([&status](int lane) {
    return lane == 1 ? std::optional<controller::CardEntryStatus>(status) : std::nullopt;
  });
  gate.on_card_decision(1, controller::CardDecision{false, "c0", controller::CardDenial::card_in_session});
  gate.on_card_decision(1, controller::CardDecision{true, "c1", controller::CardDenial::terminal_unavailable});
  admission.admit("c1", 1);
  REQUIRE(io.output("lane1.release_in"));
  std::string p = page();
  CHECK(has(p, "passgate_card_decisions_total{lane=\"1\",outcome=\"denied\",reason=\"card_in_session\"} 1"));
  CHECK(has(p, "passgate_card_decisions_total{lane=\"1\",outcome=\"admitted\",reason=\"\"} 1"));
  CHECK(has(p, "passgate_scans_total{lane=\"1\",outcome=\"admitted\",reason=\"\"} 0"));
  CHECK(has(p, "passgate_card_entry_enabled{lane=\"1\"} 0"));
  CHECK(has(p, "passgate_card_entry_off_reason{lane=\"1\",reason=\"reader_offline\"} 1"));
  CHECK(p.find("passgate_card_entry_enabled{lane=\"2\"}") == std::string::npos);  // no reader

  status = controller::CardEntryStatus{true, "", "armed"};
  p = page();
  CHECK(has(p, "passgate_card_entry_enabled{lane=\"1\"} 1"));
  CHECK(p.find("passgate_card_entry_off_reason{") == std::string::npos);
}
