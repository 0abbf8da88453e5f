// [database]: how long final records and the audit log are kept (retention_days,
// audit_retention_days), their bounds, and the audit log never shorter than the records.
#include <catch2/catch.hpp>

#include "tests/config/config_fixture.hpp"

using passgate::test::ConfigFixture;
using passgate::test::kMinimalConfig;
using passgate::test::replaced;
using Problems = std::vector<std::string>;

namespace {

// The minimal config with `lines` after [database]'s path (line 26): they are lines 27, 28.
std::string with_database_lines(std::string_view lines) {
  const std::string path = "path = \"db/passgate.db\"\n";
  return replaced(kMinimalConfig, path, path + std::string(lines));
}

}  // namespace

TEST_CASE("retention_days and audit_retention_days are read from [database]") {
  ConfigFixture fx;
  const auto load = fx.parse(with_database_lines("retention_days = 30\naudit_retention_days = 400\n"));
  REQUIRE(load.problems.empty());
  CHECK(load.config->retention.retention_days == 30);
  CHECK(load.config->retention.audit_retention_days == 400);
  const auto same = fx.parse(with_database_lines("retention_days = 365\naudit_retention_days = 365\n"));
  REQUIRE(same.problems.empty());
  CHECK(same.config->retention.retention_days == 365);
}

TEST_CASE("a retention shorter than a week or longer than ten years is refused") {
  ConfigFixture fx;
  CHECK(fx.problems(with_database_lines("retention_days = 6\n")) ==
        Problems{"gate.toml:27:18: database.retention_days is 6, expected an integer from 7 to 3650"});
  CHECK(fx.problems(with_database_lines("audit_retention_days = 3651\n")) ==
        Problems{"gate.toml:27:24: database.audit_retention_days is 3651, expected an integer from 7 to 3650"});
}

TEST_CASE("an audit retention shorter than the records' is refused where it is set") {
  ConfigFixture fx;
  CHECK(fx.problems(with_database_lines("retention_days = 200\naudit_retention_days = 100\n")) ==
        Problems{"gate.toml:28:24: database.audit_retention_days is 100, less than database.retention_days (200), "
                 "expected at least that: the audit log outlives the records it speaks of"});
  // Above the audit log's default and no audit_retention_days: at retention_days.
  CHECK(fx.problems(with_database_lines("retention_days = 400\n")) ==
        Problems{"gate.toml:27:18: database.retention_days is 400, more than database.audit_retention_days "
                 "(365 by default), expected at most that: set database.audit_retention_days too"});
  // One out of its range is reported alone, not compared.
  CHECK(fx.problems(with_database_lines("retention_days = 400\naudit_retention_days = 5\n")) ==
        Problems{"gate.toml:28:24: database.audit_retention_days is 5, expected an integer from 7 to 3650"});
}
