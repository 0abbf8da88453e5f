// Migration 4: audit_log gains the connection's uid and gid (peer_uid, peer_gid); the rows of
// an older database stay, with both NULL (who connected was never recorded). Migration 11:
// the quarantined cart or outbox message a row speaks of, read from the detail of old rows.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

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

TEST_CASE("migration 11 names the quarantined cart or outbox message of the audit rows from before it") {
  passgate::test::TempDir dir;
  const auto file = dir / "gate.db";
  {
    SQLite::Database raw(file.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    for (std::size_t v = 0; v < 10; ++v) raw.exec(std::string(schema_migrations()[v]));
    raw.exec("PRAGMA user_version = 10");
    raw.exec(R"(INSERT INTO audit_log (at_ms, actor, action, op_id, detail) VALUES
      (1, 'alice', 'write_off', 7, 'paid at the desk'),
      (2, 'alice', 'charge_cart', 0, 'quarantined cart 12 of session s1: charged 1234 USD after correction: re-priced'),
      (3, 'alice', 'write_off_cart', 0, 'quarantined cart 3 (no readable session): written off: junk'),
      (4, 'alice', 'outbox_retry', 0, 'outbox message 41 (cancel of session s2): sent again (it was rejected 5 times: HTTP 422)'),
      (5, 'alice', 'outbox_drop', 0, 'outbox message 9 (passage) dropped, never delivered (rejected: HTTP 400): by hand'),
      (6, 'alice', 'retry', 8, ''))");
  }
  auto db = open_or_fail(file);
  CHECK(db->schema_version() == latest_schema_version());
  SQLite::Statement rows(db->sql(),
                         "SELECT action || ' ' || op_id || ' ' || IFNULL(quarantined_cart_id, '-') || ' ' ||"
                         " IFNULL(outbox_id, '-') FROM audit_log ORDER BY id");
  std::vector<std::string> found;
  while (rows.executeStep()) found.push_back(rows.getColumn(0).getString());
  CHECK(found == std::vector<std::string>{"write_off 7 - -", "charge_cart 0 12 -", "write_off_cart 0 3 -",
                                          "outbox_retry 0 - 41", "outbox_drop 0 - 9", "retry 8 - -"});
}
