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
