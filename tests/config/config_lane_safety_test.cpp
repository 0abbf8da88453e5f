// The lanes' safety settings (beam_blocked_alarm_ms, close_retry_ms, close_retries,
// out_of_service), [entry] anti_passback and io.scan_repeat_window_ms: defaults, values and
// the problems reported.
#include <catch2/catch.hpp>

#include "tests/config/config_fixture.hpp"

using namespace passgate::controller;
using namespace std::chrono_literals;
using passgate::test::ConfigFixture;
using passgate::test::kMinimalConfig;
using passgate::test::replaced;
using Problems = std::vector<std::string>;

namespace {
constexpr std::string_view kEntryLane = "kind = \"entry\"";
constexpr std::string_view kExitLane = "kind = \"exit\"";
}  // namespace

TEST_CASE("safety settings, anti-passback and the scan repeat window default as documented") {
  ConfigFixture fx;
  const auto load = fx.parse(kMinimalConfig);
  REQUIRE(load.config);
  for (const LaneConfig& lane : load.config->lanes) {
    CHECK(lane.beam_blocked_alarm == 20000ms);
    CHECK(lane.close_retry == 2000ms);
    CHECK(lane.close_retries == 3);
    CHECK_FALSE(lane.out_of_service);
  }
  CHECK(load.config->entry.anti_passback == AntiPassback::hard);
  CHECK(load.config->io.scan_repeat_window == 2000ms);
}

TEST_CASE("safety settings are read per lane") {
  ConfigFixture fx;
  const auto text = replaced(replaced(kMinimalConfig, kEntryLane,
                                      "kind = \"entry\"\nbeam_blocked_alarm_ms = 30000\nclose_retry_ms = 1500\n"
                                      "close_retries = 5\nout_of_service = true"),
                             kExitLane, "kind = \"exit\"\nbeam_blocked_alarm_ms = 5000\nout_of_service = false");
  const auto load = fx.parse(text);
  REQUIRE(load.problems.empty());
  const auto& lanes = load.config->lanes;
  CHECK(lanes[0].beam_blocked_alarm == 30000ms);
  CHECK(lanes[0].close_retry == 1500ms);
  CHECK(lanes[0].close_retries == 5);
  CHECK(lanes[0].out_of_service);
  CHECK(lanes[1].beam_blocked_alarm == 5000ms);
  CHECK_FALSE(lanes[1].out_of_service);
}

TEST_CASE("barrier close retries on an exit lane and values out of range are reported") {
  ConfigFixture fx;
  CHECK(fx.problems(replaced(kMinimalConfig, kExitLane, "kind = \"exit\"\nclose_retry_ms = 2000\nclose_retries = 3")) ==
        Problems{"gate.toml:15:18: lanes[2].close_retry_ms is set on an exit lane, expected it only on entry lanes",
                 "gate.toml:16:17: lanes[2].close_retries is set on an exit lane, expected it only on entry lanes"});
  CHECK(fx.problems(replaced(kMinimalConfig, kEntryLane,
                             "kind = \"entry\"\nclose_retries = 0\nbeam_blocked_alarm_ms = 999\nout_of_service = 1")) ==
        Problems{"gate.toml:11:17: lanes[1].close_retries is 0, expected an integer from 1 to 20",
                 "gate.toml:12:25: lanes[1].beam_blocked_alarm_ms is 999, expected an integer from 1000 to 600000",
                 "gate.toml:13:18: lanes[1].out_of_service is an integer, expected true or false"});
}

TEST_CASE("anti_passback takes off, soft or hard") {
  ConfigFixture fx;
  const auto [name, mode] = GENERATE(table<std::string, AntiPassback>(
      {{"off", AntiPassback::off}, {"soft", AntiPassback::soft}, {"hard", AntiPassback::hard}}));
  const auto load = fx.parse(std::string(kMinimalConfig) + "\n[entry]\nanti_passback = \"" + name + "\"\n");
  REQUIRE(load.problems.empty());
  CHECK(load.config->entry.anti_passback == mode);
}

TEST_CASE("a wrong anti_passback value or an unknown [entry] key is reported") {
  ConfigFixture fx;
  const auto problems =
      fx.problems(std::string(kMinimalConfig) + "\n[entry]\nanti_passback = \"strict\"\nanti_pasback = \"off\"\n");
  REQUIRE(problems.size() == 2);
  CHECK(problems[0] ==
        "gate.toml:33:17: entry.anti_passback is \"strict\", expected one of \"off\", \"soft\", \"hard\"");
  CHECK_THAT(problems[1], Catch::Matchers::StartsWith("gate.toml:34:1: unknown key \"anti_pasback\" in [entry]"));
}

TEST_CASE("scan_repeat_window_ms is read from [io], 0 switches it off") {
  ConfigFixture fx;
  const auto with_window = [](std::string_view value) {
    return replaced(kMinimalConfig, "backend = \"sim\"", "backend = \"sim\"\nscan_repeat_window_ms = " + std::string(value));
  };
  const auto load = fx.parse(with_window("0"));
  REQUIRE(load.problems.empty());
  CHECK(load.config->io.scan_repeat_window == 0ms);
  CHECK(fx.problems(with_window("60001")) ==
        Problems{"gate.toml:18:25: io.scan_repeat_window_ms is 60001, expected an integer from 0 to 60000"});
}
