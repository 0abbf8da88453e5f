// load_config reads the file itself: an unreadable one is one problem at 0:0 with the OS's
// reason; a readable one is checked like parse_config and remembers where it came from.
#include <catch2/catch.hpp>

#include <fstream>

#include "controller/config/config.hpp"
#include "tests/config/config_fixture.hpp"

using passgate::controller::format_problem;
using passgate::controller::load_config;
using passgate::test::ConfigFixture;
using passgate::test::kMinimalConfig;

TEST_CASE("a missing config file is one problem with the OS's reason") {
  ConfigFixture fx;
  const auto file = fx.dir() / "absent.toml";
  const auto load = load_config(file);
  CHECK_FALSE(load.config);
  REQUIRE(load.problems.size() == 1);
  CHECK(format_problem(load.problems[0]) ==
        file.string() + ":0:0: cannot read the config file: No such file or directory");
}

TEST_CASE("a directory given as the config file is one problem with the OS's reason") {
  ConfigFixture fx;
  const auto load = load_config(fx.dir());
  REQUIRE(load.problems.size() == 1);
  CHECK(format_problem(load.problems[0]) == fx.dir().string() + ":0:0: cannot read the config file: Is a directory");
}

TEST_CASE("a valid config file loads and remembers its source") {
  ConfigFixture fx;
  std::ofstream(fx.file()) << kMinimalConfig;
  const auto load = load_config(fx.file());
  CHECK(load.problems.empty());
  REQUIRE(load.config);
  CHECK(load.config->source == fx.file());
  CHECK(load.config->store_id == "store-0042");
}

TEST_CASE("problems in a loaded file name the file as given") {
  ConfigFixture fx;
  std::ofstream(fx.file()) << "store_id = 42\n";
  const auto load = load_config(fx.file());
  REQUIRE_FALSE(load.problems.empty());
  CHECK(format_problem(load.problems[0]) == fx.file() + ":1:1: gate_id is missing, expected a string");
}
