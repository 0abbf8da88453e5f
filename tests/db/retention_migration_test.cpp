// Migration 9: the look-ups SQLite makes for each row retention deletes (the rows that refer
// to it by a foreign key) go through indexes, on a database from before it too.
#include <catch2/catch.hpp>

#include <SQLiteCpp/SQLiteCpp.h>

#include "db/migrations.hpp"
#include "tests/db/db_test_support.hpp"
#include "tests/support/temp_dir.hpp"

using namespace passgate::db;
using namespace passgate::db::test;

namespace {

// How SQLite would find the rows of `table` whose `column` is ?1.
std::string plan_of(SQLite::Database& sql, const std::string& table, const std::string& column) {
  SQLite::Statement plan(sql, "EXPLAIN QUERY PLAN SELECT 1 FROM " + table + " WHERE " + column + " = ?1");
  std::string text;
  while (plan.executeStep()) text += plan.getColumn(3).getString() + "\n";
  return text;
}

}  // namespace

TEST_CASE("migration 9 indexes what refers to a session or an operation, keeping every row") {
  passgate::test::TempDir dir;
  const auto file = dir / "gate.db";
  {
    SQLite::Database raw(file.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    for (std::size_t v = 0; v < 8; ++v) raw.exec(std::string(schema_migrations()[v]));
    raw.exec("PRAGMA user_version = 8");
    raw.exec("INSERT INTO sessions (session_id, token_id, token_expires_at, lane, shopper, group_size, admitted_at,"
             " created_at_ms, offline, state, open_request) VALUES ('s1', 'jti-1', 1000, 1, 'shp', 1, '', 1, 0,"
             " 'open', '')");
    raw.exec("INSERT INTO used_tokens (token_id, expires_at, session_id) VALUES ('jti-1', 1000, 's1')");
    raw.exec("INSERT INTO payment_ops (session_id, op, idempotency_key, amount_minor, currency, state, created_at_ms,"
             " next_attempt_at_ms) VALUES ('s1', 'charge', 's1:charge', 100, 'USD', 'succeeded', 1, 1)");
  }
  const auto db = open_or_fail(file);
  CHECK(db->schema_version() == latest_schema_version());
  SQLite::Database& sql = db->sql();
  CHECK(sql.execAndGet("SELECT COUNT(*) FROM used_tokens").getInt() == 1);
  CHECK(sql.execAndGet("SELECT COUNT(*) FROM payment_ops").getInt() == 1);
  CHECK_THAT(plan_of(sql, "used_tokens", "session_id"), Catch::Matchers::Contains("used_tokens_by_session"));
  CHECK_THAT(plan_of(sql, "payment_ops", "after_op_id"), Catch::Matchers::Contains("payment_ops_by_after_op"));
  CHECK_THAT(plan_of(sql, "payment_ops", "replaced_by"), Catch::Matchers::Contains("payment_ops_by_replaced_by"));
}
