// Lanes: at least one, each number used once, entry-only settings only on entry lanes.
#include <catch2/catch.hpp>

#include "tests/config/config_fixture.hpp"

using passgate::test::ConfigFixture;
using passgate::test::kMinimalConfig;
using passgate::test::replaced;
using Problems = std::vector<std::string>;

namespace {
const std::string_view kBothLanes = "[[lanes]]\nnumber = 1\nkind = \"entry\"\n\n[[lanes]]\nnumber = 2\nkind = \"exit\"\n";
}

TEST_CASE("a config without lanes is reported at line 1 column 1") {
  ConfigFixture fx;
  CHECK(fx.problems(replaced(kMinimalConfig, kBothLanes, "")) ==
        Problems{"gate.toml:1:1: lanes is missing, expected at least one [[lanes]] table"});
}

TEST_CASE("lanes written as an array of inline tables work like [[lanes]]") {
  ConfigFixture fx;
  const auto load = fx.parse("lanes = [{ number = 1, kind = \"entry\" }, { number = 2, kind = \"exit\" }]\n" +
                             replaced(kMinimalConfig, kBothLanes, ""));
  REQUIRE(load.config);
  CHECK(load.config->lanes.size() == 2);
}

TEST_CASE("an empty lanes array is reported at the array") {
  ConfigFixture fx;
  CHECK(fx.problems("lanes = []\n" + replaced(kMinimalConfig, kBothLanes, "")) ==
        Problems{"gate.toml:1:9: lanes is empty, expected at least one [[lanes]] table"});
}

TEST_CASE("lanes that are not tables are reported") {
  ConfigFixture fx;
  CHECK(fx.problems("lanes = 2\n" + replaced(kMinimalConfig, kBothLanes, "")) ==
        Problems{"gate.toml:1:9: lanes is an integer, expected at least one [[lanes]] table"});
  CHECK(fx.problems("lanes = [1, { number = 2, kind = \"exit\" }]\n" + replaced(kMinimalConfig, kBothLanes, "")) ==
        Problems{"gate.toml:1:10: lanes[1] is an integer, expected a [[lanes]] table"});
}

TEST_CASE("a lane number used twice is reported at the second use") {
  ConfigFixture fx;
  CHECK(fx.problems(replaced(kMinimalConfig, "number = 2", "number = 1")) ==
        Problems{"gate.toml:13:10: lanes[2].number is 1, which lanes[1] already has, expected a number no other "
                 "lane has"});
}

TEST_CASE("entry-only settings on an exit lane are reported") {
  ConfigFixture fx;
  CHECK(fx.problems(replaced(kMinimalConfig, "kind = \"exit\"", "kind = \"exit\"\ngroup_limit = 2\ngrant_timeout_ms = 9000")) ==
        Problems{"gate.toml:15:15: lanes[2].group_limit is set on an exit lane, expected it only on entry lanes",
                 "gate.toml:16:20: lanes[2].grant_timeout_ms is set on an exit lane, expected it only on entry lanes"});
}

TEST_CASE("lanes keep their file order and settings") {
  ConfigFixture fx;
  const auto load = fx.parse(replaced(replaced(kMinimalConfig, "number = 1", "number = 7"), "kind = \"entry\"",
                                      "kind = \"entry\"\ngroup_limit = 2\ngrant_timeout_ms = 12000"));
  REQUIRE(load.config);
  const auto& lanes = load.config->lanes;
  REQUIRE(lanes.size() == 2);
  CHECK(lanes[0].number == 7);
  CHECK(lanes[0].kind == passgate::controller::LaneKind::entry);
  CHECK(lanes[0].group_limit == 2);
  CHECK(lanes[0].grant_timeout == std::chrono::milliseconds(12000));
  CHECK(lanes[1].number == 2);
  CHECK(lanes[1].kind == passgate::controller::LaneKind::exit);
}
