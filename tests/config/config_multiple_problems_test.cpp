// Checking never stops at the first problem: every one is reported, in file order.
#include <catch2/catch.hpp>

#include "tests/config/config_fixture.hpp"

using passgate::test::ConfigFixture;
using Problems = std::vector<std::string>;

TEST_CASE("every problem in a config is reported, in file order") {
  ConfigFixture fx;
  const auto problems = fx.problems(R"(gate_id = "gate-a"
store-id = "store-0042"

[tokens]
issuer = "https://app.example-retail.com"
keyset = "missing.jwks"
clock_skew_s = 600

[[lanes]]
number = 1
kind = "entrance"
grant_timout_ms = 8000

[[lanes]]
number = 1
kind = "exit"

[io]
backend = "sim"

[io.sim]
socket = "rig.sock"

[tracking]
base_url = "http://tracking.store.local"

[database]
path = "nowhere/passgate.db"

[payments]
api_key_file = "gateway.key"
seal_key_file = "seal.key"
currency = "usd"
)");
  CHECK(problems == Problems{
                        "gate.toml:1:1: store_id is missing, expected a string",
                        "gate.toml:2:1: unknown key \"store-id\" at the top level, did you mean \"store_id\"?",
                        "gate.toml:6:10: tokens.keyset is \"missing.jwks\" (resolved to \"missing.jwks\"), which does "
                        "not exist, expected an existing file",
                        "gate.toml:7:16: tokens.clock_skew_s is 600, expected an integer from 0 to 60",
                        "gate.toml:11:8: lanes[1].kind is \"entrance\", expected \"entry\" or \"exit\"",
                        "gate.toml:12:1: unknown key \"grant_timout_ms\" in [[lanes]], did you mean "
                        "\"grant_timeout_ms\"?",
                        "gate.toml:15:10: lanes[2].number is 1, which lanes[1] already has, expected a number no "
                        "other lane has",
                        "gate.toml:25:12: tracking.base_url is \"http://tracking.store.local\", plain http is allowed "
                        "only to a loopback host (127.0.0.0/8, ::1, localhost), expected an https:// URL",
                        "gate.toml:28:8: database.path is \"nowhere/passgate.db\" (resolved to "
                        "\"nowhere/passgate.db\"), whose directory \"nowhere\" does not exist, expected an existing "
                        "directory (create it first)",
                        "gate.toml:33:12: payments.currency is \"usd\", expected an ISO 4217 currency code of 3 "
                        "upper-case letters, such as \"USD\"",
                    });
}
