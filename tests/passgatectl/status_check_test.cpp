// passgatectl status --check: one line in the monitoring-plugin convention and its exit code,
// for each level: OK and WARNING from a gate that answers as told (FakeGate), CRITICAL from
// the real gate with a fire alarm and dead letters, UNKNOWN when no gate answers.
#include <catch2/catch.hpp>

#include <algorithm>

#include "tests/passgatectl/ctl_fixture.hpp"
#include "tests/passgatectl/fake_gate.hpp"
#include "tests/support/temp_dir.hpp"

using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;
using nlohmann::json;
using passgate::test::CtlFixture;
using passgate::test::FakeGate;
using passgate::test::StoreDay;
using passgate::test::TempDir;

TEST_CASE("status --check says OK, with perfdata, when nothing needs attention") {
  TempDir dir;
  FakeGate gate(dir / "control.sock");
  gate.answer("status", passgate::test::calm_status());
  const auto run = CtlFixture::run({"status", "--check", "--socket", gate.socket().string()});
  CHECK(run.exit_code == 0);
  CHECK(run.output == "PASSGATE OK - gate gate-a of store store-0042: 2 lane(s) in service, 2 session(s) open | "
                      "dead_letters=0 lanes_fault=0 lanes_out_of_service=0 outbox=0 quarantined_carts=0 "
                      "queue_oldest_age=0s queue_outstanding=0 scanners_lost=0 sessions_open=2\n");
}

TEST_CASE("status --check warns of an unreachable backend, a lane out of service, a lost scanner, an old queue") {
  TempDir dir;
  FakeGate gate(dir / "control.sock");
  json status = passgate::test::calm_status();
  status["tracking"] = {{"state", "unreachable"}, {"since_ms", 1795518160517}};
  status["lanes"][1]["in_service"] = false;
  status["lanes"][0]["scanner"]["connected"] = false;
  status["payment_queue"]["outstanding"] = 3;
  status["payment_queue"]["oldest_age_s"] = 1800;
  gate.answer("status", status);
  const auto run = CtlFixture::run({"status", "--check", "--socket", gate.socket().string()});
  CHECK(run.exit_code == 1);
  CHECK_THAT(run.output, StartsWith("PASSGATE WARNING - lane 1's scanner lost; lane 2 out of service; tracking engine "
                                    "unreachable; oldest payment operation waits for 30m 00s | ") &&
                             Contains(" queue_oldest_age=1800s queue_outstanding=3 scanners_lost=1 "));
  const json as_json = json::parse(
      CtlFixture::run({"status", "--check", "--json", "--socket", gate.socket().string()}).output);
  CHECK(as_json.at("level") == "WARNING");
  CHECK(as_json.at("exit_code") == 1);
  CHECK(as_json.at("reasons").size() == 4);
  CHECK(as_json.at("perfdata").at("lanes_out_of_service") == 1);
}

TEST_CASE("status --check warns when the store's etcd does not answer and of double uses across arrays") {
  TempDir dir;
  FakeGate gate(dir / "control.sock");
  json status = passgate::test::calm_status();
  status["store"] = {{"reachable", false}, {"fallback", "local"}, {"claims_owed", 2}, {"releases_owed", 0},
                     {"double_uses_24h", 1}, {"occupancy", nullptr}};
  gate.answer("status", status);
  const auto run = CtlFixture::run({"status", "--check", "--socket", gate.socket().string()});
  CHECK(run.exit_code == 1);
  CHECK_THAT(run.output, StartsWith("PASSGATE WARNING - the store's etcd does not answer; 1 double use(s) across "
                                    "gate arrays in 24 h | "));
  // The status itself shows the store's lines.
  const auto shown = CtlFixture::run({"status", "--socket", gate.socket().string()});
  CHECK_THAT(shown.output, Contains("store (etcd): NOT answering, fallback local; owed: 2 claim(s), 0 release(s); "
                                    "double uses in 24 h: 1\nstore occupancy: not read yet\n"));
}

TEST_CASE("status reads a store reply without its occupancy (an older or partial one) as not read yet (L7)") {
  TempDir dir;
  FakeGate gate(dir / "control.sock");
  json status = passgate::test::calm_status();
  status["store"] = {{"reachable", true}, {"fallback", "local"}};
  gate.answer("status", status);
  const auto shown = CtlFixture::run({"status", "--socket", gate.socket().string()});
  CHECK_THAT(shown.output, Contains("store occupancy: not read yet\n"));
}

TEST_CASE("status --check is CRITICAL when store keys are held under this gate_id by another box (H1)") {
  TempDir dir;
  FakeGate gate(dir / "control.sock");
  json status = passgate::test::calm_status();
  status["store"] = {{"reachable", true}, {"fallback", "local"}, {"claims_owed", 0}, {"releases_owed", 0},
                     {"double_uses_24h", 0}, {"gate_id_shared", 2}, {"occupancy", nullptr}};
  gate.answer("status", status);
  const auto run = CtlFixture::run({"status", "--check", "--socket", gate.socket().string()});
  CHECK(run.exit_code == 2);
  CHECK_THAT(run.output, StartsWith("PASSGATE CRITICAL - 2 store key(s) held under this gate_id by another box"));
}

TEST_CASE("status --check is CRITICAL for a lane in fault, a fire alarm and its cause") {
  TempDir dir;
  FakeGate gate(dir / "control.sock");
  json status = passgate::test::calm_status();
  status["lanes"][0]["state"] = "fault";
  status["fire_alarm"] = true;
  status["fire_alarm_cause"] = {{"code", "no_rig"}, {"text", "no rig connected (sim backend)"}};
  gate.answer("status", status);
  const auto run = CtlFixture::run({"status", "--check", "--socket", gate.socket().string()});
  CHECK(run.exit_code == 2);
  CHECK_THAT(run.output, StartsWith("PASSGATE CRITICAL - fire alarm active: no rig connected (sim backend); lane 1 in "
                                    "fault | ") &&
                             Contains("lanes_fault=1"));
}

TEST_CASE("status --check on the real gate: CRITICAL for dead letters and the fire alarm") {
  StoreDay day;
  const auto run = day.ctl({"status", "--check"});
  CHECK(run.exit_code == 2);
  CHECK_THAT(run.output, StartsWith("PASSGATE CRITICAL - fire alarm active") &&
                             Contains("; 2 payment dead letter(s)") && Contains("; tracking engine unreachable") &&
                             Contains("; payment gateway unreachable") && Contains(" | dead_letters=2 ") &&
                             Contains(" queue_outstanding=2 "));
  CHECK(std::count(run.output.begin(), run.output.end(), '\n') == 1);
}

TEST_CASE("status --check is UNKNOWN when the gate cannot be reached") {
  TempDir dir;
  const auto run = CtlFixture::run({"status", "--check", "--socket", (dir / "none.sock").string()});
  CHECK(run.exit_code == 3);
  CHECK_THAT(run.output, StartsWith("PASSGATE UNKNOWN - cannot reach the gate: no control socket at "));
}

TEST_CASE("status --check is CRITICAL when the gate cannot tell its status") {
  TempDir dir;
  FakeGate gate(dir / "control.sock");
  gate.answer("status", json{{"error", {{"code", "db_error"}, {"message", "database disk image is malformed"}}}});
  const auto run = CtlFixture::run({"status", "--check", "--socket", gate.socket().string()});
  CHECK(run.exit_code == 2);
  CHECK(run.output == "PASSGATE CRITICAL - the gate cannot tell its status: database disk image is malformed\n");
}
