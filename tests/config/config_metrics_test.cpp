// [metrics]: the metrics listener's defaults, a loopback address and port read, and every
// other listen value refused at its line with what is expected.
#include <catch2/catch.hpp>

#include "tests/config/config_fixture.hpp"

using passgate::test::ConfigFixture;
using passgate::test::kMinimalConfig;

namespace {

std::string with_metrics(const std::string& keys) { return std::string(kMinimalConfig) + "\n[metrics]\n" + keys; }

}  // namespace

TEST_CASE("metrics are on, at 127.0.0.1:9464, by default") {
  ConfigFixture fx;
  const auto load = fx.parse(kMinimalConfig);
  REQUIRE(load.config);
  CHECK(load.config->metrics.enabled);
  CHECK(load.config->metrics.address == "127.0.0.1");
  CHECK(load.config->metrics.port == 9464);
}

TEST_CASE("a loopback listen address and enabled are read") {
  ConfigFixture fx;
  auto load = fx.parse(with_metrics("listen = \"127.0.0.2:0\"\nenabled = false\n"));
  REQUIRE(load.config);
  CHECK_FALSE(load.config->metrics.enabled);
  CHECK(load.config->metrics.address == "127.0.0.2");
  CHECK(load.config->metrics.port == 0);
  load = fx.parse(with_metrics("listen = \"[::1]:9100\"\n"));
  REQUIRE(load.config);
  CHECK(load.config->metrics.address == "::1");
  CHECK(load.config->metrics.port == 9100);
}

TEST_CASE("a listen address that is not loopback is refused at its line") {
  ConfigFixture fx;
  for (const std::string address : {"0.0.0.0:9464", "192.168.1.20:9464", "[::]:9464", "[2001:db8::1]:9464"}) {
    INFO(address);
    const auto problems = fx.problems(with_metrics("listen = \"" + address + "\"\n"));
    REQUIRE(problems.size() == 1);
    CHECK(problems[0].find("gate.toml:33:10: metrics.listen is \"" + address + "\"") == 0);
    CHECK(problems[0].find("is not a loopback address") != std::string::npos);
    CHECK(problems[0].find("\"127.0.0.1:9464\"") != std::string::npos);
  }
}

TEST_CASE("a malformed listen value says what is wrong and what is expected") {
  ConfigFixture fx;
  const std::pair<std::string, std::string> cases[] = {
      {"127.0.0.1", "has no port"},
      {":9464", "has no address"},
      {"localhost:9464", "has \"localhost\", not an IP address"},
      {"::1:9464", "has an IPv6 address without brackets"},
      {"[127.0.0.1]:9464", "has brackets around an IPv4 address"},
      {"127.0.0.1:70000", "has port \"70000\", not a number from 0 to 65535"},
      {"127.0.0.1:http", "has port \"http\""},
      {"127.0.0.1:", "has port \"\""},
  };
  for (const auto& [value, why] : cases) {
    INFO(value);
    const auto problems = fx.problems(with_metrics("listen = \"" + value + "\"\n"));
    REQUIRE(problems.size() == 1);
    CHECK(problems[0].find("gate.toml:33:10: ") == 0);
    CHECK(problems[0].find(why) != std::string::npos);
    CHECK(problems[0].find("expected \"address:port\" with a loopback IP address") != std::string::npos);
  }
}

TEST_CASE("wrong types and unknown keys in [metrics] are problems") {
  ConfigFixture fx;
  const auto problems = fx.problems(with_metrics("enabled = \"yes\"\nlisten = 9464\nlisen = \"x\"\n"));
  REQUIRE(problems.size() == 3);
  CHECK(problems[0].find(":33:") != std::string::npos);
  CHECK(problems[0].find("true or false") != std::string::npos);
  CHECK(problems[1].find(":34:") != std::string::npos);
  CHECK(problems[2].find("lisen") != std::string::npos);
}
