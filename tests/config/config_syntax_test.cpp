// A file that is not valid TOML gives exactly one problem: the parser's, at its position.
#include <catch2/catch.hpp>

#include "tests/config/config_fixture.hpp"

using passgate::test::ConfigFixture;
using passgate::test::kMinimalConfig;
using passgate::test::replaced;
using Problems = std::vector<std::string>;

TEST_CASE("an unterminated string is one syntax problem at its position") {
  ConfigFixture fx;
  CHECK(fx.problems(replaced(kMinimalConfig, "kind = \"exit\"", "kind = \"exit")) ==
        Problems{"gate.toml:14:13: invalid TOML: Error while parsing string: unescaped control characters other "
                 "than TAB (U+0009) are explicitly prohibited"});
}

TEST_CASE("a key given twice is one syntax problem at the second") {
  ConfigFixture fx;
  const auto problems = fx.problems(replaced(kMinimalConfig, "number = 2\n", "number = 2\nnumber = 3\n"));
  CHECK(problems == Problems{"gate.toml:14:10: invalid TOML: Error while parsing key-value pair: cannot redefine existing integer 'number'"});
}
