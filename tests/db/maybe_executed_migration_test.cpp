// Migration 14: payment operations gain `maybe_executed`. Operations of an older database
// claimed at least once are taken as possibly run at the gateway (whatever answer came);
// only those never claimed are not, so a denial finishes only those unsent, as it did before.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include <SQLiteCpp/SQLiteCpp.h>

#include "db/migrations.hpp"
#include "tests/db/db_test_support.hpp"
#include "tests/support/temp_dir.hpp"

using namespace passgate::db;
using namespace passgate::db::test;

TEST_CASE("migration 14 takes every payment operation claimed before it as possibly run at the gateway") {
  passgate::test::TempDir dir;
  const auto file = dir / "gate.db";
  {
    SQLite::Database raw(file.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    for (std::size_t v = 0; v < 13; ++v) raw.exec(std::string(schema_migrations()[v]));
    raw.exec("PRAGMA user_version = 13");
    // (Their sessions: migration 16 copies the operations into a table whose foreign keys are
    // checked, as every connection of the gate checks them.)
    for (const char* sid : {"s1", "s2", "s3", "s4"}) {
      raw.exec(std::string("INSERT INTO sessions (session_id, token_id, token_expires_at, lane, shopper, group_size,"
                           " admitted_at, created_at_ms, offline, state, open_request) VALUES ('") +
               sid + "', 'jti-" + sid + "', 1000, 1, 'shp', 1, '', 1, 0, 'open', '')");
    }
    raw.exec(R"(INSERT INTO payment_ops (session_id, op, idempotency_key, amount_minor, currency, state, attempts,
                  first_attempt_at_ms, created_at_ms, next_attempt_at_ms) VALUES
      ('s1', 'preauth', 's1:preauth', 5000, 'USD', 'pending', 0, 0, 1, 1),
      ('s2', 'preauth', 's2:preauth', 5000, 'USD', 'pending', 1, 5, 1, 1),
      ('s3', 'charge', 's3:charge', 700, 'USD', 'succeeded', 1, 5, 1, 1),
      ('s4', 'preauth', 's4:preauth', 5000, 'USD', 'dead', 0, 0, 1, 1))");
  }
  auto db = open_or_fail(file);
  CHECK(db->schema_version() == latest_schema_version());
  SQLite::Statement rows(db->sql(), "SELECT session_id || ' ' || maybe_executed FROM payment_ops ORDER BY id");
  std::vector<std::string> found;
  while (rows.executeStep()) found.push_back(rows.getColumn(0).getString());
  CHECK(found == std::vector<std::string>{"s1 0", "s2 1", "s3 1", "s4 0"});
}
