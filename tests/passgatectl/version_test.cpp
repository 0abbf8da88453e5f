// --version of passgatectl, passgated and passgate-sim: one line with the project version, the
// git revision it was built from ("unknown" outside a git checkout) and the build type.
#include <catch2/catch.hpp>

#include "tests/passgatectl/ctl_fixture.hpp"

using Catch::Matchers::Matches;
using passgate::test::CtlFixture;

TEST_CASE("passgatectl --version prints one line: program, version, git revision, build type") {
  for (const auto& [program, name] : {std::pair{std::string(PASSGATECTL), "passgatectl"},
                                      std::pair{std::string(PASSGATED), "passgated"},
                                      std::pair{std::string(PASSGATE_SIM), "passgate-sim"}}) {
    const auto run = CtlFixture::run({"--version"}, program);
    INFO(run.output);
    CHECK(run.exit_code == 0);
    CHECK_THAT(run.output, Matches(std::string(name) + R"( \d+\.\d+\.\d+ \(git [0-9A-Za-z.+_-]+, [A-Za-z]+\)\n)"));
  }
}
