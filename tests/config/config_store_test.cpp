// [store]: the store's etcd cluster. Absent, nothing changes; present, its endpoints, TLS
// files, timeout and fallback are read, and each wrong value is reported at its line.
#include <catch2/catch.hpp>

#include "tests/config/config_fixture.hpp"

using namespace passgate::test;
using Catch::Matchers::Contains;
using passgate::controller::StoreFallback;

namespace {

const std::string kStoreFiles = "ca_file = \"store-ca.pem\"\ncert_file = \"north.pem\"\nkey_file = \"north.key\"\n";

std::string with_store(const std::string& keys) { return std::string(kMinimalConfig) + "\n[store]\n" + keys; }

void create_store_files(const ConfigFixture& fx) {
  fx.create_file("store-ca.pem");
  fx.create_file("north.pem");
  fx.create_secret("north.key", "key");
}

}  // namespace

TEST_CASE("no [store]: no etcd at all; a [store] has defaults 300 ms, fallback local, 120 s skew, 12 h backstop") {
  ConfigFixture fx;
  create_store_files(fx);
  const auto alone = fx.parse(kMinimalConfig);
  REQUIRE(alone.config);
  CHECK_FALSE(alone.config->store.enabled);
  CHECK(alone.config->store.endpoints.empty());
  auto load = fx.parse(with_store("endpoints = [\"https://10.20.0.11:2379\", \"https://10.20.0.12:2379\"]\n" + kStoreFiles));
  REQUIRE(load.config);
  const auto& store = load.config->store;
  CHECK(store.enabled);
  CHECK(store.endpoints == std::vector<std::string>{"https://10.20.0.11:2379", "https://10.20.0.12:2379"});
  CHECK(store.ca_file == fx.dir() / "store-ca.pem");
  CHECK(store.key_file == fx.dir() / "north.key");
  CHECK(store.coordination_timeout == std::chrono::milliseconds(300));
  CHECK(store.fallback == StoreFallback::local);
  CHECK(store.lease_skew == std::chrono::seconds(120));
  CHECK(store.session_backstop == std::chrono::hours(12));
  load = fx.parse(with_store("endpoints = [\"https://etcd-1.store.local:2379\"]\n" + kStoreFiles +
                             "coordination_timeout_ms = 150\nfallback = \"deny\"\nlease_skew_s = 65\n"
                             "session_backstop_s = 3600\n"));
  REQUIRE(load.config);
  CHECK(load.config->store.coordination_timeout == std::chrono::milliseconds(150));
  CHECK(load.config->store.fallback == StoreFallback::deny);
  CHECK(load.config->store.lease_skew == std::chrono::seconds(65));
  CHECK(load.config->store.session_backstop == std::chrono::seconds(3600));
}

TEST_CASE("[store] refuses plain http, paths, repeats, no endpoint, missing files and out-of-range values") {
  ConfigFixture fx;
  create_store_files(fx);
  const auto one = [&](const std::string& keys) {
    const auto problems = fx.problems(with_store(keys));
    REQUIRE(problems.size() == 1);
    return problems.front();
  };
  const std::string files = kStoreFiles;
  CHECK_THAT(one("endpoints = [\"http://127.0.0.1:2379\"]\n" + files),
             Contains("gate.toml:33:") && Contains("is not an etcd member's URL, expected https://host:port"));
  CHECK_THAT(one("endpoints = [\"https://10.0.0.1:2379/v3\"]\n" + files), Contains("with no path"));
  CHECK_THAT(one("endpoints = [\"https://a:2379\", \"https://a:2379\"]\n" + files), Contains("is listed twice"));
  CHECK_THAT(one("endpoints = []\n" + files), Contains("has 0 entries, expected 1 to 9"));
  CHECK_THAT(one("endpoints = [2379]\n" + files), Contains("expected a URL"));
  CHECK_THAT(one(files), Contains("endpoints"));
  CHECK_THAT(one("endpoints = [\"https://a:2379\"]\n" + replaced(files, "north.pem", "missing.pem")),
             Contains("gate.toml:35:") && Contains("missing.pem"));
  CHECK_THAT(one("endpoints = [\"https://a:2379\"]\n" + files + "fallback = \"admit\"\n"), Contains("fallback"));
  CHECK_THAT(one("endpoints = [\"https://a:2379\"]\n" + files + "coordination_timeout_ms = 10\n"),
             Contains("coordination_timeout_ms"));
  CHECK_THAT(one("endpoints = [\"https://a:2379\"]\n" + files + "timeout_ms = 10\n"), Contains("unknown key"));
}

TEST_CASE("[store] needs a store_id without '/', which names its keys in etcd") {
  ConfigFixture fx;
  create_store_files(fx);
  const auto problems = fx.problems(replaced(with_store("endpoints = [\"https://a:2379\"]\n" + kStoreFiles),
                                             "store_id = \"store-0042\"", "store_id = \"chain/0042\""));
  REQUIRE(problems.size() == 1);
  CHECK_THAT(problems.front(), Contains("gate.toml:32:") && Contains("without '/'"));
}

TEST_CASE("[store] lease_skew_s is at least [tokens] clock_skew_s + 60 s, the arrays' clock differences (M1)") {
  ConfigFixture fx;
  create_store_files(fx);
  const std::string store = "endpoints = [\"https://a:2379\"]\n" + kStoreFiles;
  // The minimal config's clock_skew_s is the default, 5 s.
  CHECK(fx.parse(with_store(store + "lease_skew_s = 65\n")).config);
  const auto problems = fx.problems(with_store(store + "lease_skew_s = 64\n"));
  REQUIRE(problems.size() == 1);
  CHECK_THAT(problems.front(), Contains("gate.toml:37:") && Contains("lease_skew_s is 64, expected at least 65") &&
                                   Contains("clock_skew_s 5 + 60 s"));
  const auto skewed = replaced(with_store(store + "lease_skew_s = 100\n"), "[tokens]", "[tokens]\nclock_skew_s = 60");
  const auto wider = fx.problems(skewed);
  REQUIRE(wider.size() == 1);
  CHECK_THAT(wider.front(), Contains("expected at least 120"));
}
