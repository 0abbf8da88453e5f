// Scenario tests of the daemon's life: used tokens survive a restart, SIGHUP reloads the
// issuer keys, and an invalid config keeps passgated from starting.
#include <catch2/catch.hpp>

#include <algorithm>
#include <csignal>
#include <fstream>
#include <string>

#include "hw/line_names.hpp"
#include "tests/scenario/gate_harness.hpp"
#include "tests/scenario/rig_client.hpp"

namespace passgate::scenario {
namespace {

using hw::LineRole;


TEST_CASE("a token used before a restart is refused as replayed after it", "[scenario]") {
  GateHarness gate;
  const std::string token = gate.mint("shp_gina");
  {
    RigClient rig(gate);
    rig.connect_ready();
    rig.scan(1, token);
    REQUIRE(rig.wait_level(kRelease1, true));
    rig.walk_in(1);
    REQUIRE(rig.wait_level(kRelease1, false));
    gate.stop_gate();
    REQUIRE(gate.run_until([&rig] { return rig.lost().has_value(); }));  // it closed the rig link
  }
  gate.start_gate();  // the same database

  RigClient rig(gate);
  rig.connect_ready();
  rig.scan(1, token);
  REQUIRE(rig.wait_display(1, "replayed"));
  CHECK(rig.rises_since_ready(kRelease1) == 0);
  CHECK(gate.tracking_state().at("sessions").size() == 1);
}

TEST_CASE("SIGHUP reloads the issuer key set: a token of the new key is admitted", "[scenario]") {
  GateHarness gate;
  RigClient rig(gate);
  rig.connect_ready();
  auto generated = sim::IssuerKey::generate(sim::IssuerAlg::es256, "key-b");
  REQUIRE(generated.ok());
  const sim::IssuerKey& key_b = generated.value();

  rig.scan(1, gate.mint_with(key_b, "shp_hana"));
  REQUIRE(rig.wait_display(1, "unknown_key"));

  REQUIRE(sim::save_jwks(gate.jwks_file(), {&gate.issuer_key(), &key_b}).ok());
  gate.gated().signal(SIGHUP);
  REQUIRE(gate.gated().wait_for_output("event=config_reloaded ", kReactLimit));
  CHECK(gate.gated().output().find("applied=tokens.keyset needs_restart=none") != std::string::npos);

  rig.scan(1, gate.mint_with(key_b, "shp_hana"));
  REQUIRE(rig.wait_level(kRelease1, true));
  REQUIRE(rig.wait_display(1, "admit 1"));
  rig.walk_in(1);
  REQUIRE(rig.wait_level(kRelease1, false));
  // Key A still works too.
  rig.scan(1, gate.mint("shp_ivan"));
  REQUIRE(rig.wait_level(kRelease1, true));
}

TEST_CASE("SIGHUP refuses a new payment sealing key that drops one a session not yet settled needs", "[scenario]") {
  GateHarness gate;
  RigClient rig(gate);
  rig.connect_ready();
  // A shopper inside: their payment reference is sealed with the key in force, and their
  // cart has not come yet.
  rig.scan(1, gate.mint("shp_ann"));
  REQUIRE(rig.wait_level(kRelease1, true));
  rig.walk_in(1);
  REQUIRE(rig.wait_level(kRelease1, false));
  REQUIRE(gate.gated().wait_for_output("event=passage ", kReactLimit));
  const auto seal_key = gate.dir() / "seal.key";
  std::ofstream(seal_key, std::ios::binary | std::ios::trunc) << std::string(32, 'n');
  gate.gated().signal(SIGHUP);
  REQUIRE(gate.gated().wait_for_output("event=config_reload_refused ", kReactLimit));
  CHECK(gate.gated().output().find("1 session(s) not settled yet") != std::string::npos);
  CHECK(gate.gated().output().find("previous_seal_key_files") != std::string::npos);
  // The key in force stays: admissions still seal their payment references.
  rig.scan(1, gate.mint("shp_jane"));
  REQUIRE(rig.wait_level(kRelease1, true));
}

TEST_CASE("passgated exits 78 at start on a payment sealing key that drops one a session not yet settled needs",
          "[scenario]") {
  GateHarness gate;
  RigClient rig(gate);
  rig.connect_ready();
  rig.scan(1, gate.mint("shp_kim"));
  REQUIRE(rig.wait_level(kRelease1, true));
  rig.walk_in(1);
  REQUIRE(rig.wait_level(kRelease1, false));
  REQUIRE(gate.gated().wait_for_output("event=passage ", kReactLimit));
  gate.stop_gate();
  const auto seal_key = gate.dir() / "seal.key";
  std::string old_key;
  std::getline(std::ifstream(seal_key, std::ios::binary), old_key);
  std::ofstream(seal_key, std::ios::binary | std::ios::trunc) << std::string(32, 'n');
  {
    test::ChildProcess refused(PASSGATED, {"--config", gate.config_file().string()});
    const auto status = refused.wait_exit(kStartLimit);
    INFO(refused.output());
    CHECK(status == 78);
    CHECK(refused.output().find("1 session(s) not settled yet") != std::string::npos);
  }
  // With the key back, the gate starts and admits again.
  std::ofstream(seal_key, std::ios::binary | std::ios::trunc) << old_key;
  gate.start_gate();
}

TEST_CASE("passgated refuses to start on a config with a misspelled key", "[scenario]") {
  GateHarness gate(GateOptions{.start_gate = false});
  std::string text = gate.config_text();
  const std::string key = "policy = ";
  const auto at = text.find(key);
  REQUIRE(at != std::string::npos);
  text.replace(at, key.size(), "polcy = ");
  const int line_number = 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(at), '\n'));
  const auto file = gate.dir() / "typo.toml";
  {
    std::ofstream out(file);
    out << text;
  }

  test::ChildProcess gated(PASSGATED, {"--config", file.string()});
  const bool refused = gated.wait_for_output("refusing to start", kStartLimit);
  const auto status = gated.wait_exit(kStartLimit);
  const std::string said = gated.output();
  INFO(said);
  REQUIRE(refused);
  CHECK(status == 78);
  CHECK(said.find(file.string() + ":" + std::to_string(line_number) + ":1: unknown key \"polcy\" in [offline]") !=
        std::string::npos);
  CHECK(said.find("did you mean \"policy\"?") != std::string::npos);
  CHECK(said.find("event=ready ") == std::string::npos);
  CHECK_FALSE(std::filesystem::exists(gate.rig_socket()));
}

TEST_CASE("a second passgated on the same state directory exits at once, naming the first, and leaves it alone",
          "[scenario]") {
  GateHarness gate;
  RigClient rig(gate);
  rig.connect_ready();

  test::ChildProcess second(PASSGATED, {"--config", gate.config_file().string()});
  const auto status = second.wait_exit(kStartLimit);
  const std::string said = second.output();
  INFO(said);
  CHECK(status == 75);
  CHECK(said.find("another passgated (PID " + std::to_string(gate.gated().pid()) + ") is running") !=
        std::string::npos);
  CHECK(said.find("event=ready ") == std::string::npos);
  // The first one keeps its sockets and goes on serving its lanes.
  CHECK(std::filesystem::exists(gate.rig_socket()));
  CHECK(std::filesystem::exists(gate.control_socket()));
  rig.scan(1, gate.mint("shp_ann"));
  REQUIRE(rig.wait_level(kRelease1, true));
}

TEST_CASE("passgated exits 78 (no restart) on a key file it cannot use, before it opens anything", "[scenario]") {
  GateHarness gate(GateOptions{.start_gate = false});
  std::string keyset;
  {
    const std::string text = gate.config_text();
    const std::string key = "keyset = \"";
    const auto at = text.find(key) + key.size();
    keyset = text.substr(at, text.find('"', at) - at);
  }
  std::ofstream(keyset, std::ios::trunc) << "not JSON at all";

  test::ChildProcess gated(PASSGATED, {"--config", gate.config_file().string()});
  const auto status = gated.wait_exit(kStartLimit);
  const std::string said = gated.output();
  INFO(said);
  CHECK(status == 78);
  CHECK(said.find("event=startup_failed what=config") != std::string::npos);
  CHECK(said.find("tokens.keyset: " + keyset) != std::string::npos);
  CHECK(said.find("not valid JSON") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(gate.rig_socket()));
  CHECK_FALSE(std::filesystem::exists(gate.control_socket()));
}

}  // namespace
}  // namespace passgate::scenario
