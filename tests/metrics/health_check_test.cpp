// HealthCheck: healthy while the database takes a durable write, probed at most once per
// kProbeInterval; a failed write is unhealthy with the database's reason, counted as a
// database error, and health comes back with the next good probe.
#include <catch2/catch.hpp>

#include <SQLiteCpp/SQLiteCpp.h>

#include "common/virtual_time.hpp"
#include "controller/metrics_health.hpp"
#include "db/gate_status.hpp"
#include "db/sqlite_error.hpp"
#include "tests/db/db_test_support.hpp"

using namespace std::chrono_literals;
using namespace passgate;
using controller::HealthCheck;

namespace {

struct HealthFixture {
  // Another connection to the same file: what breaks the gate's writes behind its back.
  void on_the_side(const std::string& sql) {
    SQLite::Database other(t.file.string(), SQLite::OPEN_READWRITE);
    other.exec(sql);
  }

  VirtualTime vt;
  db::test::TestDatabase t;
  db::GateStatus status{*t.db};
  HealthCheck health{status, vt};
};

}  // namespace

TEST_CASE_METHOD(HealthFixture, "healthy once the probe row is written") {
  CHECK_FALSE(health.problem());
  const auto row = status.get("healthz_probe");
  REQUIRE(db::test::describe(row) == "ok");
  REQUIRE(row->has_value());
  CHECK((*row)->value == "ok");
}

TEST_CASE_METHOD(HealthFixture, "a failed write is unhealthy and counted, until a later probe succeeds") {
  REQUIRE_FALSE(health.problem());
  on_the_side("DROP TABLE gate_status");
  // Within the probe interval the last result stands: no write is tried.
  const auto before = db::failed_operations().db_error;
  vt.advance(HealthCheck::kProbeInterval - 1ms);
  CHECK_FALSE(health.problem());
  CHECK(db::failed_operations().db_error == before);

  vt.advance(1ms);
  const auto problem = health.problem();
  REQUIRE(problem);
  CHECK(problem->starts_with("database: "));
  CHECK(problem->find("gate_status") != std::string::npos);
  CHECK(db::failed_operations().db_error == before + 1);
  CHECK(health.problem() == problem);  // the same verdict, not probed again
  CHECK(db::failed_operations().db_error == before + 1);

  on_the_side("CREATE TABLE gate_status (name TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL,"
              " updated_at_ms INTEGER NOT NULL)");
  vt.advance(HealthCheck::kProbeInterval);
  CHECK_FALSE(health.problem());
}
