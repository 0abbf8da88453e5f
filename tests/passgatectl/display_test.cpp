// What passgatectl shows people: tables sized to their content (one printer for every
// table), money in the currency's own unit, the fire alarm's cause where the alarm is named,
// and an input level nobody reported yet as "unknown". Answers come from a FakeGate, which
// says what the daemon will (fire_alarm_cause, null levels).
#include <catch2/catch.hpp>

#include "tests/passgatectl/ctl_fixture.hpp"
#include "tests/passgatectl/fake_gate.hpp"
#include "tests/support/temp_dir.hpp"

using Catch::Matchers::Contains;
using nlohmann::json;
using passgate::test::CtlFixture;
using passgate::test::FakeGate;
using passgate::test::TempDir;

namespace {

const json kCause{{"code", "no_rig"}, {"text", "no rig connected (sim backend)"}};

}  // namespace

TEST_CASE("hw scanners sizes its columns to a long device path") {
  TempDir dir;
  FakeGate gate(dir / "control.sock");
  gate.answer("hw.scanners",
              json{{"scanners",
                    {{{"name", "lane1.entry"}, {"kind", "serial"},
                      {"device", "/dev/serial/by-id/usb-Honeywell_Imaging_1234-if00-ttyACM-scanner"},
                      {"connected", true}, {"detail", "open"}},
                     {{"name", "lane2.entry"}, {"kind", "hid_pos"}, {"device", "0c2e:0b61"}, {"connected", false},
                      {"detail", "unplugged"}}}}});
  const auto run = CtlFixture::run({"hw", "scanners", "--socket", gate.socket().string()});
  CHECK(run.exit_code == 0);
  CHECK(run.output ==
        "SCANNER      KIND     DEVICE                                                            STATE      DETAIL\n"
        "lane1.entry  serial   /dev/serial/by-id/usb-Honeywell_Imaging_1234-if00-ttyACM-scanner  connected  open\n"
        "lane2.entry  hid_pos  0c2e:0b61                                                         LOST       unplugged\n");
}

TEST_CASE("hw inputs shows a level nobody reported yet as unknown, and the fire alarm's cause") {
  TempDir dir;
  FakeGate gate(dir / "control.sock");
  gate.answer("hw.inputs", json{{"fire_alarm", true},
                                {"fire_alarm_cause", kCause},
                                {"inputs",
                                 {{{"line", "fire_alarm"}, {"raw", nullptr}, {"level", nullptr}},
                                  {{"line", "lane1.beam_outer"}, {"raw", true}, {"level", false}}}}});
  const auto run = CtlFixture::run({"hw", "inputs", "--socket", gate.socket().string()});
  CHECK(run.exit_code == 0);
  CHECK(run.output ==
        "the fire alarm is active: no rig connected (sim backend): every lane is free in both directions\n"
        "INPUT             RAW      DEBOUNCED\n"
        "fire_alarm        unknown  unknown\n"
        "lane1.beam_outer  active   inactive\n");
}

TEST_CASE("the fire alarm's cause in status and lanes, and nothing when the gate tells none") {
  TempDir dir;
  FakeGate gate(dir / "control.sock");
  json status = passgate::test::calm_status();
  status["fire_alarm"] = true;
  status["attention"] = {"the fire alarm is active: every lane is free in both directions"};
  gate.answer("lanes", json{{"fire_alarm", true}, {"lanes", status["lanes"]}});
  gate.answer("status", status);
  const std::string socket = gate.socket().string();
  CHECK_THAT(CtlFixture::run({"status", "--socket", socket}).output,
             Contains("  - the fire alarm is active: every lane is free in both directions\n") &&
                 Contains("fire alarm: ACTIVE (every lane is free in both directions)\n"));
  CHECK_THAT(CtlFixture::run({"lanes", "--socket", socket}).output,
             Contains("FIRE ALARM: every lane is free in both directions\n"));

  status["fire_alarm_cause"] = kCause;
  status["attention"] = {"the fire alarm is active: every lane is free in both directions; cause: no rig connected (sim backend)"};
  gate.answer("lanes", json{{"fire_alarm", true}, {"fire_alarm_cause", kCause}, {"lanes", status["lanes"]}});
  gate.answer("status", status);
  const auto run = CtlFixture::run({"status", "--socket", socket});
  CHECK(run.exit_code == 0);
  CHECK_THAT(run.output,
             Contains("  - the fire alarm is active: every lane is free in both directions; cause: no rig connected "
                      "(sim backend)\n") &&
                 Contains("fire alarm: ACTIVE: no rig connected (sim backend) (every lane is free in both directions)\n"));
  CHECK_THAT(CtlFixture::run({"lanes", "--socket", socket}).output,
             Contains("FIRE ALARM: no rig connected (sim backend): every lane is free in both directions\n"));
}

TEST_CASE("money is shown in the currency's own unit in every listing, JSON keeps minor units") {
  TempDir dir;
  FakeGate gate(dir / "control.sock");
  json status = passgate::test::calm_status();
  status["payment_queue"]["owed_minor"] = {{"BHD", 1250}, {"JPY", 500}, {"USD", 5000}};
  gate.answer("status", status);
  gate.answer("queue", json{{"all", false},
                            {"matching", 1},
                            {"operations",
                             {{{"id", 7}, {"session_id", "s-1"}, {"op", "charge"}, {"amount_minor", 5000},
                               {"currency", "usd"}, {"state", "pending"}, {"age_s", 30}, {"attempts", 0},
                               {"last_error", ""}}}},
                            {"counts", {{"pending", 1}}},
                            {"outstanding", 1},
                            {"owed_minor", {{"USD", 5000}}},
                            {"quarantined_carts", json::array()}});
  const std::string socket = gate.socket().string();
  CHECK_THAT(CtlFixture::run({"status", "--socket", socket}).output, Contains("owed 1.250 BHD, 500 JPY, 50.00 USD"));
  const auto queue = CtlFixture::run({"queue", "--socket", socket});
  CHECK_THAT(queue.output, Contains("  50.00 USD  ") && Contains("owed 50.00 USD") && !Contains("minor"));
  CHECK(json::parse(CtlFixture::run({"queue", "--json", "--socket", socket}).output)
            .at("operations")
            .at(0)
            .at("amount_minor") == 5000);
}
