// Keys nobody reads are reported where they are written, with the closest known key when
// one is close enough to be a typo, else the list of known keys.
#include <catch2/catch.hpp>

#include "tests/config/config_fixture.hpp"

using passgate::test::ConfigFixture;
using passgate::test::kMinimalConfig;
using passgate::test::kMinimalGpiodConfig;
using passgate::test::replaced;
using Problems = std::vector<std::string>;

TEST_CASE("a typo in a lane key is reported with a suggestion") {
  ConfigFixture fx;
  CHECK(fx.problems(replaced(kMinimalConfig, "kind = \"entry\"\n", "kind = \"entry\"\ngrant_timout_ms = 8000\n")) ==
        Problems{"gate.toml:11:1: unknown key \"grant_timout_ms\" in [[lanes]], did you mean \"grant_timeout_ms\"?"});
}

TEST_CASE("a misspelled table name is reported at the top level, with its consequences") {
  ConfigFixture fx;
  CHECK(fx.problems(replaced(kMinimalConfig, "[tracking]", "[trackin]")) ==
        Problems{"gate.toml:1:1: tracking is missing, expected a [tracking] table with base_url",
                 "gate.toml:22:2: unknown key \"trackin\" at the top level, did you mean \"tracking\"?"});
}

TEST_CASE("an unknown key far from any known one lists the known keys") {
  ConfigFixture fx;
  CHECK(fx.problems(replaced(kMinimalConfig, "keyset = \"keys.jwks.json\"\n",
                             "keyset = \"keys.jwks.json\"\naudience = \"x\"\n")) ==
        Problems{"gate.toml:7:1: unknown key \"audience\" in [tokens], expected one of issuer, keyset, "
                 "clock_skew_s, freshness_s"});
}

TEST_CASE("unknown keys are found in nested tables too") {
  ConfigFixture fx;
  CHECK(fx.problems(replaced(kMinimalGpiodConfig, "{ offset = 1 }", "{ ofset = 1 }")) ==
        Problems{"gate.toml:24:22: io.gpiod.lines.\"lane1.beam_inner\".offset is missing, expected an integer from "
                 "0 to 1023",
                 "gate.toml:24:24: unknown key \"ofset\" in [io.gpiod.lines.\"lane1.beam_inner\"], did you mean "
                 "\"offset\"?"});
  CHECK(fx.problems(replaced(kMinimalConfig, "socket = \"rig.sock\"\n", "socket = \"rig.sock\"\ndebounce = 5\n")) ==
        Problems{"gate.toml:21:1: unknown key \"debounce\" in [io.sim], did you mean \"debounce_ms\"?"});
}
