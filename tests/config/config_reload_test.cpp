// Config reload: which changed settings are applied while the gate runs, which are named as
// needing a restart, and that a file with problems (or a key file that cannot be read)
// changes nothing. The daemon's side (LiveSettings) is a fake that records what it is given.
#include <catch2/catch.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "controller/config/reload.hpp"
#include "tests/config/config_fixture.hpp"

using passgate::Error;
using passgate::Status;
using passgate::controller::ConfigChange;
using passgate::controller::ConfigReloader;
using passgate::controller::GateConfig;
using passgate::controller::OfflinePolicy;
using passgate::controller::Reload;
using passgate::controller::ReloadReport;
using passgate::test::ConfigFixture;
using passgate::test::kMinimalConfig;
using passgate::test::replaced;
using Keys = std::vector<std::string>;

namespace {

// The daemon's side: records what it is asked to stage and apply.
struct FakeLive final : passgate::controller::LiveSettings {
  std::optional<Error> stage_error;
  Keys changed_key_files;  // what apply() says changed in the key files
  int staged = 0;
  std::vector<GateConfig> applied;

  Status stage_key_files(const GateConfig&) override {
    ++staged;
    if (stage_error) return *stage_error;
    return {};
  }
  std::vector<std::string> apply(const GateConfig& config) override {
    applied.push_back(config);
    return changed_key_files;
  }
};

const std::string kLane1 = "number = 1\nkind = \"entry\"\n";

// kMinimalConfig with more lines after lane 1's kind.
std::string with_lane1(const std::string& lines) { return replaced(kMinimalConfig, kLane1, kLane1 + lines); }

struct ReloadFixture {
  ConfigFixture files;
  FakeLive live;
  ConfigReloader reloader{started(), live};

  GateConfig started() {
    auto load = files.parse(kMinimalConfig);
    REQUIRE(load.problems.empty());
    return *load.config;
  }

  ReloadReport reload(std::string_view text) {
    const auto load = files.parse(text);
    return reloader.reload(load);
  }
};

}  // namespace

TEST_CASE("comparing a config with itself finds no change") {
  ConfigFixture fx;
  const auto load = fx.parse(kMinimalConfig);
  REQUIRE(load.config);
  CHECK(passgate::controller::compare_configs(*load.config, *load.config).empty());
}

TEST_CASE("each changed key is named with whether it reloads, lanes by their number") {
  ConfigFixture fx;
  const auto a = fx.parse(kMinimalConfig);
  const auto b = fx.parse(replaced(with_lane1("grant_timeout_ms = 5000\nout_of_service = true\n"), "gate_id = \"gate-a\"",
                                   "gate_id = \"gate-b\"") +
                          "\n[offline]\npolicy = \"admit\"\n");
  REQUIRE(a.config);
  REQUIRE(b.config);
  CHECK(passgate::controller::compare_configs(*a.config, *b.config) ==
        std::vector<ConfigChange>{{"gate_id", Reload::restart},
                                  {"lanes.1.grant_timeout_ms", Reload::live},
                                  {"lanes.1.out_of_service", Reload::live},
                                  {"offline.policy", Reload::live}});
}

TEST_CASE("a reload applies every live setting that changed and names each") {
  ReloadFixture fx;
  const std::string text = with_lane1("grant_timeout_ms = 5000\n") +
                           "\n[offline]\npolicy = \"admit\"\nmax_admissions_per_hour = 5\n"
                           "\n[logging]\nlevel = \"debug\"\n";
  const std::string file =
      replaced(replaced(text, "backend = \"sim\"\n", "backend = \"sim\"\nscan_repeat_window_ms = 500\n"),
               "api_key_file = \"gateway.key\"\n", "api_key_file = \"gateway.key\"\nmax_in_flight = 8\n");

  const ReloadReport report = fx.reload(file);
  CHECK(report.reloaded);
  CHECK(report.problems.empty());
  CHECK(report.applied == Keys{"lanes.1.grant_timeout_ms", "io.scan_repeat_window_ms", "offline.policy",
                               "offline.max_admissions_per_hour", "payments.max_in_flight", "logging.level"});
  CHECK(report.needs_restart.empty());

  REQUIRE(fx.live.applied.size() == 1);
  const GateConfig& applied = fx.live.applied.front();
  CHECK(applied.lanes.at(0).grant_timeout == std::chrono::milliseconds(5000));
  CHECK(applied.io.scan_repeat_window == std::chrono::milliseconds(500));
  CHECK(applied.offline.policy == OfflinePolicy::admit);
  CHECK(applied.offline.max_admissions_per_hour == 5);
  CHECK(applied.payments.max_in_flight == 8);
  CHECK(applied.logging.level == "debug");
  CHECK(fx.reloader.in_force().offline.policy == OfflinePolicy::admit);

  // The same file again: nothing left to apply.
  const ReloadReport again = fx.reload(file);
  CHECK(again.reloaded);
  CHECK(again.applied.empty());
  CHECK(again.needs_restart.empty());
}

TEST_CASE("settings that need a restart are named, keep their old value, and stay named until the restart") {
  ReloadFixture fx;
  const std::string file =
      replaced(replaced(replaced(kMinimalConfig, "gate_id = \"gate-a\"", "gate_id = \"gate-b\""),
                        "base_url = \"http://127.0.0.1:8080\"", "base_url = \"http://127.0.0.1:9090\""),
               "path = \"db/passgate.db\"", "path = \"db/other.db\"") +
      "\n[[lanes]]\nnumber = 3\nkind = \"exit\"\n\n[control]\nsocket = \"other.sock\"\n";

  const ReloadReport report = fx.reload(file);
  CHECK(report.reloaded);
  CHECK(report.applied.empty());
  CHECK(report.needs_restart == Keys{"gate_id", "lanes", "tracking.base_url", "database.path", "control.socket"});
  REQUIRE(fx.live.applied.size() == 1);
  const GateConfig& applied = fx.live.applied.front();
  CHECK(applied.gate_id == "gate-a");
  CHECK(applied.lanes.size() == 2);
  CHECK(applied.tracking.base_url == "http://127.0.0.1:8080");
  CHECK(applied.database == fx.started().database);

  const ReloadReport again = fx.reload(file);
  CHECK(again.applied.empty());
  CHECK(again.needs_restart == report.needs_restart);
}

TEST_CASE("io.scan_max_length needs a restart: the scanner drivers cut reads at the length they started with") {
  ReloadFixture fx;
  const ReloadReport report =
      fx.reload(replaced(kMinimalConfig, "backend = \"sim\"\n", "backend = \"sim\"\nscan_max_length = 8192\n"));
  CHECK(report.reloaded);
  CHECK(report.applied.empty());
  CHECK(report.needs_restart == Keys{"io.scan_max_length"});
  REQUIRE(fx.live.applied.size() == 1);
  CHECK(fx.live.applied.front().io.scan_max_length == 4096);
  CHECK(fx.reloader.in_force().io.scan_max_length == 4096);
}

TEST_CASE("lanes still in the file keep reloading while an added lane waits for a restart") {
  ReloadFixture fx;
  const ReloadReport report =
      fx.reload(with_lane1("group_limit = 2\nclose_retries = 5\n") + "\n[[lanes]]\nnumber = 3\nkind = \"entry\"\n");
  CHECK(report.applied == Keys{"lanes.1.group_limit", "lanes.1.close_retries"});
  CHECK(report.needs_restart == Keys{"lanes"});
  REQUIRE(fx.live.applied.size() == 1);
  const auto& lanes = fx.live.applied.front().lanes;
  REQUIRE(lanes.size() == 2);
  CHECK(lanes.at(0).group_limit == 2);
  CHECK(lanes.at(0).close_retries == 5);
}

TEST_CASE("a lane whose kind changed is not reconfigured and needs a restart") {
  ReloadFixture fx;
  const ReloadReport report = fx.reload(replaced(kMinimalConfig, "kind = \"exit\"", "kind = \"entry\"\ngroup_limit = 1"));
  CHECK(report.reloaded);
  CHECK(report.applied.empty());
  CHECK(report.needs_restart == Keys{"lanes"});
  REQUIRE(fx.live.applied.size() == 1);
  CHECK(fx.live.applied.front().lanes.at(1).kind == passgate::controller::LaneKind::exit);
}

TEST_CASE("a config file with problems changes nothing and reports each problem") {
  ReloadFixture fx;
  const ReloadReport report =
      fx.reload(with_lane1("grant_timeout_ms = 5000\ngrant_timout_ms = 10\n") + "\n[offline]\npolicy = \"maybe\"\n");
  CHECK_FALSE(report.reloaded);
  REQUIRE(report.problems.size() == 2);
  CHECK(report.problems.at(0).find("grant_timout_ms") != std::string::npos);
  CHECK(report.problems.at(1).find("offline.policy") != std::string::npos);
  CHECK(report.applied.empty());
  CHECK(report.needs_restart.empty());
  CHECK(fx.live.staged == 0);
  CHECK(fx.live.applied.empty());
  CHECK(fx.reloader.in_force().lanes.at(0).grant_timeout == std::chrono::milliseconds(8000));
}

TEST_CASE("a key file that cannot be read changes nothing") {
  ReloadFixture fx;
  fx.live.stage_error = passgate::make_error("io_error", "keys.jwks.json: no such file");
  const ReloadReport report = fx.reload(std::string(kMinimalConfig) + "\n[offline]\npolicy = \"admit\"\n");
  CHECK_FALSE(report.reloaded);
  CHECK(report.problems == Keys{"keys.jwks.json: no such file"});
  CHECK(fx.live.staged == 1);
  CHECK(fx.live.applied.empty());
  CHECK(fx.reloader.in_force().offline.policy == OfflinePolicy::deny);
}

TEST_CASE("key files whose content changed are reported as applied, once") {
  ReloadFixture fx;
  fx.live.changed_key_files = {"tokens.keyset", "payments.seal_key_file"};
  fx.files.create_file("other.jwks.json");
  const ReloadReport report = fx.reload(replaced(kMinimalConfig, "keys.jwks.json", "other.jwks.json"));
  CHECK(report.reloaded);
  CHECK(report.applied == Keys{"tokens.keyset", "payments.seal_key_file"});
  CHECK(fx.live.applied.front().keyset.filename() == "other.jwks.json");
}
