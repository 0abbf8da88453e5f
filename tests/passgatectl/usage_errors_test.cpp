// passgatectl's command line, read by the real binary: every mistake is told in passgatectl's
// own words ("passgatectl: ..."), naming what was given and the nearest valid command or
// option, with exit code 2; the options every command shares work before or after it.
#include <catch2/catch.hpp>

#include "tests/passgatectl/ctl_fixture.hpp"
#include "tests/passgatectl/fake_gate.hpp"
#include "tests/support/temp_dir.hpp"

using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;
using passgate::test::CtlFixture;
using passgate::test::CtlRun;
using passgate::test::FakeGate;
using passgate::test::TempDir;

namespace {

CtlRun ctl(std::vector<std::string> args) { return CtlFixture::run(std::move(args)); }

}  // namespace

TEST_CASE("a negative --limit is told in words, not as CLI11's range") {
  const auto run = ctl({"sessions", "--limit", "-1"});
  CHECK(run.exit_code == 2);
  CHECK(run.output == "passgatectl: --limit must be 0 (every one) or a positive number, not -1\n");
  CHECK(ctl({"queue", "--limit", "x"}).output == "passgatectl: --limit must be 0 (every one) or a positive number, not x\n");
}

TEST_CASE("an unknown command is named, with the nearest one and where --help is") {
  const auto run = ctl({"stauts"});
  CHECK(run.exit_code == 2);
  CHECK_THAT(run.output, StartsWith("passgatectl: unknown command \"stauts\"; did you mean \"status\"? The commands: "
                                    "check-config, status, ") &&
                             Contains("(passgatectl --help)\n"));
  const auto far = ctl({"frobnicate"});
  CHECK(far.exit_code == 2);
  CHECK_THAT(far.output, StartsWith("passgatectl: unknown command \"frobnicate\". The commands: "));
}

TEST_CASE("an unknown lane action lists the actions a lane takes") {
  const auto run = ctl({"lane", "1", "off"});
  CHECK(run.exit_code == 2);
  CHECK(run.output == "passgatectl: lane: unknown action \"off\". lane N takes out-of-service or in-service "
                      "(passgatectl lane --help)\n");
  const auto typo = ctl({"lane", "1", "in-servce"});
  CHECK(typo.exit_code == 2);
  CHECK_THAT(typo.output, StartsWith("passgatectl: lane: unknown action \"in-servce\"; did you mean \"in-service\"?"));
}

TEST_CASE("a lane that is not a number is told as such") {
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"lane", "abc"}, std::vector<std::string>{"lane", "abc", "out-of-service"}}) {
    const auto run = ctl(args);
    CHECK(run.exit_code == 2);
    CHECK(run.output ==
          "passgatectl: lane: \"abc\" is not a lane number; lanes are numbered from 1 (passgatectl lanes lists them)\n");
  }
}

TEST_CASE("missing and extra arguments and unknown options are told clearly") {
  const auto no_command = ctl({});
  CHECK(no_command.exit_code == 2);
  CHECK_THAT(no_command.output, StartsWith("passgatectl: which command? The commands: check-config, status"));

  const auto no_lane = ctl({"lane"});
  CHECK(no_lane.exit_code == 2);
  CHECK(no_lane.output ==
        "passgatectl: lane: missing N: the lane's number, as passgatectl lanes lists them (passgatectl lane --help)\n");

  const auto no_reason = ctl({"queue", "write-off", "5"});
  CHECK(no_reason.exit_code == 2);
  CHECK_THAT(no_reason.output, StartsWith("passgatectl: queue write-off: missing --reason TEXT: why, for the audit log"));

  const auto no_check = ctl({"hw"});
  CHECK(no_check.exit_code == 2);
  CHECK(no_check.output == "passgatectl: hw: which one? hw takes inputs, pulse or scanners (passgatectl hw --help)\n");

  const auto extra = ctl({"status", "foo"});
  CHECK(extra.exit_code == 2);
  CHECK(extra.output == "passgatectl: status: unexpected argument \"foo\" (passgatectl status --help)\n");

  const auto option = ctl({"status", "--jsn"});
  CHECK(option.exit_code == 2);
  CHECK(option.output == "passgatectl: status: unknown option --jsn; did you mean \"--json\"? (passgatectl status --help)\n");

  const auto no_value = ctl({"sessions", "--limit"});
  CHECK(no_value.exit_code == 2);
  CHECK_THAT(no_value.output, StartsWith("passgatectl: sessions: --limit needs a value"));

  const auto both = ctl({"status", "--check", "--watch"});
  CHECK(both.exit_code == 2);
  CHECK(both.output == "passgatectl: status: --check and --watch do not go together\n");
  CHECK(ctl({"status", "--interval", "1"}).output == "passgatectl: status: --interval goes with --watch\n");
  CHECK(ctl({"status", "--watch", "--interval", "0"}).output ==
        "passgatectl: status: --interval must be a number of seconds from 0.1 to 3600, not 0\n");

  const auto bad_id = ctl({"queue", "retry", "4x"});
  CHECK(bad_id.exit_code == 2);
  CHECK_THAT(bad_id.output, StartsWith("passgatectl: queue retry: \"4x\" is not an id"));
}

TEST_CASE("the common options work before and after the command, for every command") {
  TempDir dir;
  FakeGate gate(dir / "control.sock");
  gate.answer("status", passgate::test::calm_status());
  gate.answer("lanes", nlohmann::json{{"fire_alarm", false}, {"lanes", passgate::test::calm_status().at("lanes")}});
  const std::string socket = gate.socket().string();
  for (const std::vector<std::string>& args : {
           std::vector<std::string>{"--socket", socket, "--json", "status"},
           std::vector<std::string>{"status", "--socket", socket, "--json"},
           std::vector<std::string>{"--json", "status", "--socket", socket},
           std::vector<std::string>{"lanes", "--json", "--socket", socket, "--timeout", "5"},
           std::vector<std::string>{"--socket", socket, "lane", "1", "in-service", "--json"},
       }) {
    const auto run = ctl(args);
    INFO(run.output);
    CHECK(run.exit_code == 0);
    CHECK(nlohmann::json::parse(run.output).is_object());
  }
}

TEST_CASE("passgatectl -c after the subcommand, also after a lane action and a hw check") {
  CtlFixture gate;
  gate.start_gate();
  for (const std::vector<std::string>& args : {
           std::vector<std::string>{"lanes", "-c", gate.config_file()},
           std::vector<std::string>{"-c", gate.config_file(), "lane", "2", "out-of-service", "--reason", "test"},
           std::vector<std::string>{"lane", "2", "in-service", "-c", gate.config_file()},
           std::vector<std::string>{"hw", "inputs", "--json", "-c", gate.config_file()},
       }) {
    const auto run = ctl(args);
    INFO(run.output);
    CHECK(run.exit_code == 0);
    CHECK_THAT(run.output, !Contains("passgatectl:"));
  }
}
