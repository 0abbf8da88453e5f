// [control]: the control socket's path and owner group, defaults and problems.
#include <catch2/catch.hpp>

#include "tests/config/config_fixture.hpp"

using passgate::test::ConfigFixture;
using passgate::test::kMinimalConfig;

TEST_CASE("the control socket defaults to the service's runtime directory") {
  ConfigFixture fx;
  const auto load = fx.parse(kMinimalConfig);
  REQUIRE(load.config);
  CHECK(load.config->control.socket == "/run/passgate/control.sock");
  CHECK(load.config->control.group.empty());
}

TEST_CASE("the control socket and an existing group are read") {
  ConfigFixture fx;
  const auto load = fx.parse(std::string(kMinimalConfig) + "\n[control]\nsocket = \"ctl.sock\"\ngroup = \"root\"\n");
  REQUIRE(load.config);
  CHECK(load.config->control.socket == fx.dir() / "ctl.sock");
  CHECK(load.config->control.group == "root");
}

TEST_CASE("a group that does not exist is a problem at its line") {
  ConfigFixture fx;
  const auto problems =
      fx.problems(std::string(kMinimalConfig) + "\n[control]\ngroup = \"no-such-group-passgate\"\nsokcet = \"x\"\n");
  REQUIRE(problems.size() == 2);
  CHECK(problems[0].find(":33:9: ") != std::string::npos);
  CHECK(problems[0].find("does not exist") != std::string::npos);
  CHECK(problems[1].find("sokcet") != std::string::npos);
}

TEST_CASE("the control request timeout defaults to 5 s and is read in milliseconds within its range") {
  ConfigFixture fx;
  const auto defaults = fx.parse(kMinimalConfig);
  REQUIRE(defaults.config);
  CHECK(defaults.config->control.request_timeout == std::chrono::milliseconds(5000));
  const auto set = fx.parse(std::string(kMinimalConfig) + "\n[control]\nrequest_timeout_ms = 750\n");
  REQUIRE(set.config);
  CHECK(set.config->control.request_timeout == std::chrono::milliseconds(750));
  for (const char* bad : {"0", "99", "60001", "\"5000\"", "2.5"}) {
    INFO("request_timeout_ms = " << bad);
    const auto problems = fx.problems(std::string(kMinimalConfig) + "\n[control]\nrequest_timeout_ms = " + bad + "\n");
    REQUIRE(problems.size() == 1);
    CHECK(problems[0].find("request_timeout_ms") != std::string::npos);
  }
}
