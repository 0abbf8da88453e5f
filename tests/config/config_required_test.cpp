// Missing required keys are reported at the table that lacks them (1:1 for the top level).
#include <catch2/catch.hpp>

#include "tests/config/config_fixture.hpp"

using passgate::test::ConfigFixture;
using passgate::test::kMinimalConfig;
using passgate::test::replaced;
using Problems = std::vector<std::string>;

TEST_CASE("a missing top-level key is reported at line 1 column 1") {
  ConfigFixture fx;
  CHECK(fx.problems(replaced(kMinimalConfig, "store_id = \"store-0042\"\n", "\n")) ==
        Problems{"gate.toml:1:1: store_id is missing, expected a string"});
}

TEST_CASE("a missing key of a table is reported at the table's header") {
  ConfigFixture fx;
  CHECK(fx.problems(replaced(kMinimalConfig, "issuer = \"https://app.example-retail.com\"\n", "\n")) ==
        Problems{"gate.toml:4:1: tokens.issuer is missing, expected a string"});
}

TEST_CASE("a missing key of the second lane names that lane") {
  ConfigFixture fx;
  CHECK(fx.problems(replaced(kMinimalConfig, "kind = \"exit\"\n", "\n")) ==
        Problems{"gate.toml:12:1: lanes[2].kind is missing, expected \"entry\" or \"exit\""});
}

TEST_CASE("a missing required table is reported at line 1 column 1 with what it needs") {
  ConfigFixture fx;
  CHECK(fx.problems(replaced(kMinimalConfig, "[database]\npath = \"db/passgate.db\"\n", "")) ==
        Problems{"gate.toml:1:1: database is missing, expected a [database] table with path"});
  CHECK(fx.problems(replaced(kMinimalConfig, "[tracking]\nbase_url = \"http://127.0.0.1:8080\"\n", "")) ==
        Problems{"gate.toml:1:1: tracking is missing, expected a [tracking] table with base_url"});
}

TEST_CASE("the sim backend requires its socket, the gpiod backend its table and scanners") {
  ConfigFixture fx;
  CHECK(fx.problems(replaced(kMinimalConfig, "socket = \"rig.sock\"\n", "")) ==
        Problems{"gate.toml:19:1: io.sim.socket is missing, expected a string"});
  CHECK(fx.problems(replaced(kMinimalConfig, "backend = \"sim\"", "backend = \"gpiod\"")) ==
        Problems{"gate.toml:16:1: io.gpiod is missing, expected an [io.gpiod] table with lines",
                 "gate.toml:16:1: io.scanners lacks \"lane1.entry\", expected a scanner for entry lane 1, such as "
                 "[io.scanners.\"lane1.entry\"] with type and usb_id or device"});
}

TEST_CASE("an empty required string is reported as empty") {
  ConfigFixture fx;
  CHECK(fx.problems(replaced(kMinimalConfig, "gate_id = \"gate-a\"", "gate_id = \"\"")) ==
        Problems{"gate.toml:2:11: gate_id is empty, expected a non-empty string"});
}

TEST_CASE("ids must be printable ASCII without spaces") {
  ConfigFixture fx;
  CHECK(fx.problems(replaced(kMinimalConfig, "store_id = \"store-0042\"", "store_id = \"store 42\"")) ==
        Problems{"gate.toml:1:12: store_id is \"store 42\", expected printable ASCII without spaces, such as "
                 "\"store-0042\""});
}
