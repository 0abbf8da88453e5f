// Migration 4: audit_log gains the connection's uid and gid (peer_uid, peer_gid); the rows of
// an older database stay, with both NULL (who connected was never recorded).
#include <catch2/catch.hpp>

#include <SQLiteCpp/SQLiteCpp.h>

#include "db/migrations.hpp"
#include "tests/db/db_test_support.hpp"
#include "tests/support/temp_dir.hpp"

using namespace passgate::db;
using namespace passgate::db::test;

TEST_CASE("a database from before migration 4 keeps its audit rows, without a uid or gid") {
  passgate::test::TempDir dir;
  const auto file = dir / "gate.db";
  {
    SQLite::Database raw(file.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    for (std::size_t v = 0; v < 3; ++v) raw.exec(std::string(schema_migrations()[v]));
    raw.exec("PRAGMA user_version = 3");
    raw.exec("INSERT INTO audit_log (at_ms, actor, action, op_id, detail) VALUES (1, 'alice', 'retry', 7, '')");
  }
  auto db = open_or_fail(file);
  CHECK(db->schema_version() == latest_schema_version());
  SQLite::Statement row(db->sql(), "SELECT actor, peer_uid, peer_gid FROM audit_log");
  REQUIRE(row.executeStep());
  CHECK(row.getColumn(0).getString() == "alice");
  CHECK(row.getColumn(1).isNull());
  CHECK(row.getColumn(2).isNull());
}
