// Scenario test of the metrics listener: the real passgated (metrics on a free loopback
// port, which it logs) admits a shopper who walks through and denies a forged token; then
// GET /metrics shows the scans, the admission, the passage and one scan-to-release latency,
// and GET /healthz says ok, during a fire alarm too. With no rig connected every view (lanes,
// status, hw, metrics) says the scanners are lost and why the fire alarm is on.
#include <catch2/catch.hpp>

#include <string>

#include "hw/line_names.hpp"
#include "tests/scenario/gate_harness.hpp"
#include "tests/scenario/metrics_client.hpp"
#include "tests/scenario/rig_client.hpp"
#include "tests/support/run_until.hpp"

namespace passgate::scenario {
namespace {

using passgate::HttpReply;
bool has(const std::string& page, const std::string& line) { return page.find(line + "\n") != std::string::npos; }

TEST_CASE("after an admission, a passage and a denial, /metrics shows them and /healthz is ok", "[scenario]") {
  GateHarness gate;
  RigClient rig(gate);
  rig.connect_ready();
  MetricsClient metrics(gate);

  const std::string release1 = hw::line_name(1, hw::LineRole::release_in);
  rig.scan(1, gate.mint("shp_alice"));
  REQUIRE(rig.wait_level(release1, true));
  rig.walk_in(1);
  REQUIRE(rig.wait_level(release1, false));
  rig.scan(2, gate.mint("shp_mallory", sim::TokenFlaw::forged));
  REQUIRE(rig.wait_display(2, "bad_signature"));

  const HttpReply reply = metrics.get("/metrics");
  REQUIRE(reply.status == 200);
  CHECK(reply.header("Content-Type") == "text/plain; version=0.0.4; charset=utf-8");
  const std::string& page = reply.body;
  INFO(page);
  CHECK(has(page, "# TYPE passgate_scans_total counter"));
  CHECK(has(page, "passgate_scans_total{lane=\"1\",outcome=\"admitted\",reason=\"\"} 1"));
  CHECK(has(page, "passgate_scans_total{lane=\"2\",outcome=\"denied\",reason=\"bad_signature\"} 1"));
  CHECK(has(page, "passgate_admissions_total{lane=\"1\",mode=\"online\"} 1"));
  CHECK(has(page, "passgate_passages_total{lane=\"1\",kind=\"admitted\"} 1"));
  CHECK(has(page, "# TYPE passgate_scan_to_release_seconds histogram"));
  CHECK(has(page, "passgate_scan_to_release_seconds_bucket{mode=\"online\",le=\"+Inf\"} 1"));
  CHECK(has(page, "passgate_scan_to_release_seconds_count{mode=\"online\"} 1"));
  CHECK(has(page, "passgate_backend_up{backend=\"tracking_engine\"} 1"));
  CHECK(has(page, "passgate_fire_alarm_active 0"));
  CHECK(has(page, "passgate_lane_state{lane=\"3\",state=\"closed\"} 1"));
  CHECK(has(page, "passgate_payment_queue_length 0"));
  CHECK(has(page, "passgate_database_errors_total{code=\"db_error\"} 0"));
  CHECK(page.find("passgate_build_info{version=\"") != std::string::npos);

  const HttpReply health = metrics.get("/healthz");
  CHECK(health.status == 200);
  CHECK(health.body == "ok\n");
  CHECK(metrics.get("/nothing").status == 404);

  // A fire alarm is no reason to restart the gate: still healthy, and shown.
  rig.set("fire_alarm", true);
  REQUIRE(rig.wait_all_releases(true));
  CHECK(has(metrics.get("/metrics").body, "passgate_fire_alarm_active 1"));
  CHECK(has(metrics.get("/metrics").body, "passgate_fire_alarm_cause{cause=\"alarm_input\"} 1"));
  CHECK(metrics.get("/healthz").status == 200);
}

nlohmann::json ctl_json(GateHarness& gate, std::vector<std::string> args) {
  args.push_back("--json");
  const auto result = gate.ctl(std::move(args));
  INFO(result.output);
  REQUIRE(result.status == 0);
  return nlohmann::json::parse(result.output);
}

TEST_CASE("with no rig connected, every view says the scanners are lost and the fire alarm's cause", "[scenario]") {
  GateHarness gate;
  MetricsClient metrics(gate);
  const std::string no_rig = "no rig connected";
  // The gate is up with its rig socket waiting: the scanners' loss reaches the lanes at once.
  REQUIRE(gate.poll_until([&] {
    return has(metrics.get("/metrics").body, "passgate_lane_scanner_connected{lane=\"1\"} 0");
  }));

  const auto lanes = ctl_json(gate, {"lanes"});
  INFO(lanes.dump());
  CHECK(lanes.at("fire_alarm") == true);
  CHECK(lanes.at("fire_alarm_cause").at("code") == "link_lost");
  CHECK(lanes.at("lanes").at(0).at("scanner").at("connected") == false);
  CHECK(lanes.at("lanes").at(0).at("scanner").at("detail") == no_rig);
  CHECK(lanes.at("lanes").at(0).at("active_alarms") == nlohmann::json::array({"scanner_fault"}));

  const auto scanners = ctl_json(gate, {"hw", "scanners"});
  CHECK(scanners.at("scanners").at(0).at("connected") == false);
  CHECK(scanners.at("scanners").at(0).at("detail") == no_rig);

  const auto status = ctl_json(gate, {"status"});
  const std::string attention = status.at("attention").dump();
  INFO(attention);
  CHECK(attention.find("fire alarm is active: every lane is free in both directions; cause: no rig connected (sim "
                       "backend)") != std::string::npos);
  CHECK(attention.find("lane 1's scanner is not connected (no rig connected)") != std::string::npos);

  const auto inputs = ctl_json(gate, {"hw", "inputs"});
  CHECK(inputs.at("fire_alarm_cause").at("code") == "link_lost");
  const auto beam = find_by(inputs.at("inputs"), "line", hw::line_name(1, hw::LineRole::beam_outer));
  CHECK(beam.at("raw").is_null());    // nothing reported yet: unknown
  CHECK(beam.at("level").is_null());
  CHECK(find_by(inputs.at("inputs"), "line", "fire_alarm").at("level") == true);

  const std::string page = metrics.get("/metrics").body;
  CHECK(has(page, "passgate_fire_alarm_cause{cause=\"link_lost\"} 1"));
  CHECK(has(page, "passgate_lane_scanner_connected{lane=\"2\"} 0"));

  // A rig connects: the scanners are back everywhere; the alarm waits for the rig's report.
  RigClient rig(gate);
  rig.connect();
  REQUIRE(gate.poll_until([&] { return ctl_json(gate, {"lanes"}).at("lanes").at(0).at("scanner").at("connected") == true; }));
  CHECK(ctl_json(gate, {"hw", "scanners"}).at("scanners").at(0).at("connected") == true);
  CHECK(has(metrics.get("/metrics").body, "passgate_lane_scanner_connected{lane=\"1\"} 1"));
  CHECK(ctl_json(gate, {"status"}).at("fire_alarm_cause").at("code") == "link_lost");  // not reported yet
  rig.clear_inputs();
  REQUIRE(rig.wait_all_releases(false));
  CHECK(ctl_json(gate, {"status"}).at("fire_alarm_cause").is_null());
  CHECK(ctl_json(gate, {"lanes"}).at("lanes").at(0).at("active_alarms") == nlohmann::json::array());
}

}  // namespace
}  // namespace passgate::scenario
