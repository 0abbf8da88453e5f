// passgatectl reload: the running gate reloads its config as on SIGHUP and answers with its
// ReloadReport; passgatectl prints it and exits 0 only when the config was reloaded. The
// request is logged with the operator. A config with problems elsewhere still leads
// passgatectl to the gate (it reads only [control] socket), which then reports them.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "tests/passgatectl/ctl_fixture.hpp"
#include "tests/support/minimal_gate_config.hpp"

using Catch::Matchers::Contains;
using nlohmann::json;
using passgate::test::CtlFixture;
using passgate::test::kGateLimit;
using passgate::test::ScopedEnv;
using passgate::test::this_user;

namespace {

void append(const std::string& file, const std::string& text) { std::ofstream(file, std::ios::app) << text; }

void replace_in(const std::string& file, const std::string& from, const std::string& to) {
  std::stringstream text;
  text << std::ifstream(file).rdbuf();
  const std::string content = passgate::test::replaced(text.str(), from, to);
  std::ofstream(file, std::ios::trunc) << content;
}

// What `passgatectl reload` printed agrees with the gate's report, and so does its exit code.
void check_printed(const passgate::test::CtlRun& printed, const json& report) {
  INFO(printed.output << "\nreport: " << report.dump());
  if (report.at("reloaded") == true) {
    CHECK(printed.exit_code == 0);
    CHECK_THAT(printed.output, Contains("reloaded "));
    for (const auto& key : report.at("applied")) CHECK_THAT(printed.output, Contains(key.get<std::string>()));
    for (const auto& key : report.at("needs_restart")) {
      CHECK_THAT(printed.output, Contains("only after a restart") && Contains(key.get<std::string>()));
    }
  } else {
    CHECK(printed.exit_code == 1);
    CHECK_THAT(printed.output, Contains("NOT reloaded: the gate keeps running with its previous settings"));
    CHECK_FALSE(report.at("problems").empty());
    for (const auto& p : report.at("problems")) CHECK_THAT(printed.output, Contains(p.get<std::string>()));
  }
}

}  // namespace

TEST_CASE("reload asks the running gate, prints its report and logs the operator") {
  CtlFixture gate;
  gate.start_gate();
  const ScopedEnv no_sudo("SUDO_USER", std::nullopt);
  const auto as_json = gate.ctl({"reload", "--json"});
  INFO(as_json.output);
  const json report = json::parse(as_json.output);
  for (const char* key : {"reloaded", "applied", "needs_restart", "problems"}) CHECK(report.contains(key));
  CHECK(report.at("config_file") == gate.config_file());
  CHECK(as_json.exit_code == (report.at("reloaded") == true ? 0 : 1));
  check_printed(gate.ctl({"reload"}), report);
  CHECK(gate.gated().wait_for_output("event=reload_requested via=control_socket operator=" + this_user(), kGateLimit));
}

TEST_CASE("a live setting is in force at once, one that needs a restart is named as such") {
  CtlFixture gate;
  gate.start_gate();
  append(gate.config_file(), "\n[offline]\npolicy = \"admit\"\n");
  const auto live = gate.ctl({"reload"});
  INFO(live.output);
  CHECK(live.exit_code == 0);
  CHECK_THAT(live.output, Contains("reloaded " + gate.config_file()) && Contains("in force now: offline.policy"));
  CHECK_THAT(live.output, !Contains("restart"));

  replace_in(gate.config_file(), "socket = \"rig.sock\"", "socket = \"rig-2.sock\"");
  const auto restart = gate.ctl({"reload"});
  INFO(restart.output);
  CHECK(restart.exit_code == 0);
  CHECK_THAT(restart.output,
             Contains("changed, but in force only after a restart (systemctl restart passgated): io.sim.socket"));
  const json report = json::parse(gate.ctl({"reload", "--json"}).output);
  CHECK(report.at("reloaded") == true);
  CHECK(report.at("needs_restart") == json{"io.sim.socket"});
  CHECK(report.at("applied") == json::array());
}

TEST_CASE("a config file with a problem still reaches the gate, which reloads nothing and says why") {
  CtlFixture gate;
  gate.start_gate();
  append(gate.config_file(), "\n[offline]\npolicy = \"sometimes\"\n");
  const auto run = gate.ctl({"reload"});
  INFO(run.output);
  CHECK(run.exit_code == 1);
  CHECK_THAT(run.output, Contains("NOT reloaded: the gate keeps running with its previous settings") &&
                             Contains(gate.config_file() + ":") && Contains("sometimes"));
  // The gate is still there, with its previous settings.
  CHECK(gate.ctl({"status"}).exit_code == 0);
}
