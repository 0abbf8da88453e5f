// Wrong types, out-of-range numbers and values outside a fixed set are reported at the
// value, saying what it is and what is expected.
#include <catch2/catch.hpp>

#include "tests/config/config_fixture.hpp"

using passgate::test::ConfigFixture;
using passgate::test::kMinimalConfig;
using passgate::test::kMinimalGpiodConfig;
using passgate::test::replaced;
using Problems = std::vector<std::string>;

namespace {

const std::string kTokensTail = "keyset = \"keys.jwks.json\"\n";

std::string with_token_line(std::string_view line) {
  return replaced(kMinimalConfig, kTokensTail, kTokensTail + std::string(line) + "\n");
}

}  // namespace

TEST_CASE("a value of the wrong type says which type it has and which it needs") {
  ConfigFixture fx;
  CHECK(fx.problems(with_token_line("clock_skew_s = \"5\"")) ==
        Problems{"gate.toml:7:16: tokens.clock_skew_s is a string, expected an integer from 0 to 60"});
  CHECK(fx.problems(with_token_line("freshness_s = 1.5")) ==
        Problems{"gate.toml:7:15: tokens.freshness_s is a floating-point number, expected an integer from 10 to 300"});
  CHECK(fx.problems(replaced(kMinimalConfig, "number = 2", "number = \"2\"")) ==
        Problems{"gate.toml:13:10: lanes[2].number is a string, expected an integer from 1 to 16"});
  CHECK(fx.problems(replaced(kMinimalGpiodConfig, "active_low = true", "active_low = \"yes\"")) ==
        Problems{"gate.toml:37:44: io.gpiod.lines.fire_alarm.active_low is a string, expected true or false"});
}

TEST_CASE("a table where a value is expected, and a value where a table is expected") {
  ConfigFixture fx;
  CHECK(fx.problems(replaced(kMinimalConfig, "path = \"db/passgate.db\"", "path.file = \"db/passgate.db\"")) ==
        Problems{"gate.toml:26:1: database.path is a table, expected a string"});
  CHECK(fx.problems(replaced(kMinimalConfig, "store_id", "offline = \"deny\"\nstore_id")) ==
        Problems{"gate.toml:1:11: offline is a string, expected a table"});
}

TEST_CASE("a number out of range says the range") {
  ConfigFixture fx;
  CHECK(fx.problems(with_token_line("clock_skew_s = 61")) ==
        Problems{"gate.toml:7:16: tokens.clock_skew_s is 61, expected an integer from 0 to 60"});
  CHECK(fx.problems(replaced(kMinimalConfig, "number = 2", "number = 17")) ==
        Problems{"gate.toml:13:10: lanes[2].number is 17, expected an integer from 1 to 16"});
  CHECK(fx.problems(replaced(kMinimalConfig, "kind = \"entry\"", "kind = \"entry\"\ngroup_limit = 0")) ==
        Problems{"gate.toml:11:15: lanes[1].group_limit is 0, expected an integer from 1 to 10"});
  CHECK(fx.problems(replaced(kMinimalGpiodConfig, "offset = 16", "offset = 1024")) ==
        Problems{"gate.toml:36:29: io.gpiod.lines.\"lane2.buzzer\".offset is 1024, expected an integer from 0 to 1023"});
  CHECK(fx.problems(replaced(kMinimalConfig, "socket = \"rig.sock\"", "socket = \"rig.sock\"\ndebounce_ms = -1")) ==
        Problems{"gate.toml:21:15: io.sim.debounce_ms is -1, expected an integer from 0 to 1000"});
}

TEST_CASE("a value outside a fixed set lists the allowed values") {
  ConfigFixture fx;
  CHECK(fx.problems(replaced(kMinimalConfig, "kind = \"exit\"", "kind = \"entrance\"")) ==
        Problems{"gate.toml:14:8: lanes[2].kind is \"entrance\", expected \"entry\" or \"exit\""});
  CHECK(fx.problems(replaced(kMinimalConfig, "backend = \"sim\"", "backend = \"gpio\"")) ==
        Problems{"gate.toml:17:11: io.backend is \"gpio\", expected \"sim\" or \"gpiod\""});
  CHECK(fx.problems(std::string(kMinimalConfig) + "\n[logging]\nlevel = \"verbose\"\n") ==
        Problems{"gate.toml:33:9: logging.level is \"verbose\", expected one of \"trace\", \"debug\", \"info\", "
                 "\"warn\", \"error\""});
  CHECK(fx.problems(std::string(kMinimalConfig) + "\n[offline]\npolicy = \"allow\"\n") ==
        Problems{"gate.toml:33:10: offline.policy is \"allow\", expected \"deny\" or \"admit\""});
  CHECK(fx.problems(replaced(kMinimalGpiodConfig, "bias = \"pull-down\"", "bias = \"pullup\"")) ==
        Problems{"gate.toml:37:57: io.gpiod.lines.fire_alarm.bias is \"pullup\", expected one of \"as-is\", "
                 "\"pull-up\", \"pull-down\", \"disable\""});
}
