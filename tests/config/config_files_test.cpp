// Files the gate reads must exist when the config is checked; the database's and log's
// directories must exist; relative paths are relative to the config file's directory and
// stored resolved.
#include <catch2/catch.hpp>

#include "tests/config/config_fixture.hpp"

using passgate::test::ConfigFixture;
using passgate::test::kMinimalConfig;
using passgate::test::replaced;
using Problems = std::vector<std::string>;

TEST_CASE("relative paths are stored resolved against the config's directory, absolute ones as given") {
  ConfigFixture fx;
  const auto absolute_keys = (fx.dir() / "keys.jwks.json").string();
  const auto load = fx.parse(replaced(kMinimalConfig, "\"keys.jwks.json\"", "\"" + absolute_keys + "\""));
  REQUIRE(load.config);
  CHECK(load.config->keyset == absolute_keys);
  CHECK(load.config->database == fx.dir() / "db" / "passgate.db");
  CHECK(load.config->io.sim_socket == fx.dir() / "rig.sock");
}

TEST_CASE("a missing key set is reported with the path it resolved to") {
  ConfigFixture fx;
  CHECK(fx.problems(replaced(kMinimalConfig, "\"keys.jwks.json\"", "\"issuer.jwks\"")) ==
        Problems{"gate.toml:6:10: tokens.keyset is \"issuer.jwks\" (resolved to \"issuer.jwks\"), which does not "
                 "exist, expected an existing file"});
}

TEST_CASE("a directory where a file is expected is reported") {
  ConfigFixture fx;
  CHECK(fx.problems(replaced(kMinimalConfig, "\"keys.jwks.json\"", "\"db\"")) ==
        Problems{"gate.toml:6:10: tokens.keyset is \"db\" (resolved to \"db\"), which is a directory, expected a file"});
}

TEST_CASE("missing TLS files are reported each at its value") {
  ConfigFixture fx;
  const std::string url = "base_url = \"http://127.0.0.1:8080\"";
  CHECK(fx.problems(replaced(kMinimalConfig, url,
                             url + "\nca_bundle = \"/nonexistent/ca.pem\"\nclient_cert = \"c.crt\"\nclient_key = \"c.key\"")) ==
        Problems{"gate.toml:24:13: tracking.ca_bundle is \"/nonexistent/ca.pem\", which does not exist, expected an "
                 "existing file",
                 "gate.toml:25:15: tracking.client_cert is \"c.crt\" (resolved to \"c.crt\"), which does not exist, "
                 "expected an existing file",
                 "gate.toml:26:14: tracking.client_key is \"c.key\" (resolved to \"c.key\"), which does not exist, "
                 "expected an existing file"});
}

TEST_CASE("a database in a directory that does not exist is reported") {
  ConfigFixture fx;
  CHECK(fx.problems(replaced(kMinimalConfig, "\"db/passgate.db\"", "\"data/passgate.db\"")) ==
        Problems{"gate.toml:26:8: database.path is \"data/passgate.db\" (resolved to \"data/passgate.db\"), whose "
                 "directory \"data\" does not exist, expected an existing directory (create it first)"});
}

TEST_CASE("a log file needs an existing directory, an empty one means standard error") {
  ConfigFixture fx;
  CHECK(fx.problems(std::string(kMinimalConfig) + "\n[logging]\nfile = \"logs/gate.log\"\n") ==
        Problems{"gate.toml:33:8: logging.file is \"logs/gate.log\" (resolved to \"logs/gate.log\"), whose directory "
                 "\"logs\" does not exist, expected an existing directory (create it first)"});
  const auto load = fx.parse(std::string(kMinimalConfig) + "\n[logging]\nfile = \"\"\nlevel = \"debug\"\n");
  REQUIRE(load.config);
  CHECK(load.config->logging.file.empty());
  CHECK(load.config->logging.level == "debug");
}
