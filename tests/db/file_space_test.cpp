// FileSpace (db/file_space.hpp) and the bounds Database::open sets: incremental auto-vacuum
// on a new file and, by one VACUUM at open, on a small file made before it (a large one is
// left as it is); free pages handed back a step at a time; the page cache and the WAL kept
// after a checkpoint bounded.
#include <catch2/catch.hpp>

#include <SQLiteCpp/SQLiteCpp.h>

#include "db/file_space.hpp"
#include "db/migrations.hpp"
#include "tests/db/db_test_support.hpp"

using namespace passgate::db;
using namespace passgate::db::test;

namespace {

// A file as a passgated before incremental auto-vacuum left it: the schema up to migration 8,
// with `rows` audit rows of 1 KiB (deleted again if `deleted`, leaving free pages).
void make_legacy_database(const std::filesystem::path& file, int rows, bool deleted) {
  SQLite::Database raw(file.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
  raw.exec("PRAGMA journal_mode = WAL");
  for (std::size_t v = 0; v < 8; ++v) raw.exec(std::string(schema_migrations()[v]));
  raw.exec("PRAGMA user_version = 8");
  raw.exec("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < " + std::to_string(rows) +
           ") INSERT INTO audit_log (at_ms, actor, action, op_id, detail) SELECT i, 'alice', 'write_off', i,"
           " hex(randomblob(512)) FROM n");
  if (deleted) raw.exec("DELETE FROM audit_log");
  CHECK(raw.execAndGet("PRAGMA auto_vacuum").getInt() == 0);
}

}  // namespace

TEST_CASE("a new database uses incremental auto-vacuum, a 2 MiB page cache and a WAL cut to 8 MiB") {
  TestDatabase t;
  SQLite::Database& sql = t.db->sql();
  CHECK(sql.execAndGet("PRAGMA auto_vacuum").getInt() == 2);  // incremental
  CHECK(sql.execAndGet("PRAGMA cache_size").getInt() == -2048);
  CHECK(sql.execAndGet("PRAGMA journal_size_limit").getInt64() == 8 * 1024 * 1024);
  const auto pages = file_pages(*t.db);
  REQUIRE(describe(pages) == "ok");
  CHECK(pages->incremental);
  CHECK(pages->page_size == 4096);
  CHECK(pages->bytes() == pages->pages * 4096);
}

TEST_CASE("a small database made before incremental auto-vacuum is switched at open, its rows kept") {
  passgate::test::TempDir dir;
  const auto file = dir / "gate.db";
  make_legacy_database(file, 500, false);
  const auto db = open_or_fail(file);
  CHECK(db->sql().execAndGet("PRAGMA auto_vacuum").getInt() == 2);
  CHECK(db->sql().execAndGet("SELECT COUNT(*) FROM audit_log").getInt() == 500);
  CHECK(db->schema_version() == latest_schema_version());
  CHECK(db->sql().execAndGet("PRAGMA journal_mode").getString() == "wal");
}

TEST_CASE("a database with more data than the switch at open allows keeps its mode, and a later open switches it") {
  passgate::test::TempDir dir;
  const auto file = dir / "gate.db";
  make_legacy_database(file, 400, false);
  SQLite::Database sql(file.string(), SQLite::OPEN_READWRITE);
  use_incremental_vacuum(sql, file, 256 * 1024);  // 400 KiB of audit rows alone is too much for this bound
  CHECK(sql.execAndGet("PRAGMA auto_vacuum").getInt() == 0);
  CHECK(sql.execAndGet("SELECT COUNT(*) FROM audit_log").getInt() == 400);
  sql.exec("DELETE FROM audit_log");  // retention deleted the rows: little data left
  use_incremental_vacuum(sql, file, 256 * 1024);
  CHECK(sql.execAndGet("PRAGMA auto_vacuum").getInt() == 2);
}

TEST_CASE("free pages are handed back a step at a time, some kept for reuse") {
  passgate::test::TempDir dir;
  const auto file = dir / "gate.db";
  make_legacy_database(file, 100, true);
  const auto db = open_or_fail(file);
  // The switch's VACUUM left no free page: fill and empty the table again.
  db->sql().exec("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 4000)"
                 " INSERT INTO audit_log (at_ms, actor, action, op_id, detail)"
                 " SELECT i, 'alice', 'write_off', i, hex(randomblob(512)) FROM n");
  db->sql().exec("DELETE FROM audit_log");
  const auto before = file_pages(*db);
  REQUIRE(describe(before) == "ok");
  REQUIRE(before->free_pages > 1000);

  const auto step = reclaim_free_pages(*db, 300, 100);
  REQUIRE(describe(step) == "ok");
  CHECK(step->free_pages == before->free_pages - 300);
  CHECK(step->pages <= before->pages - 300);  // (and any pointer-map page past the new end)
  for (int i = 0; i < 20; ++i) REQUIRE(reclaim_free_pages(*db, 300, 100).ok());
  const auto after = file_pages(*db);
  REQUIRE(describe(after) == "ok");
  CHECK(after->free_pages == 100);
  CHECK(after->pages <= before->pages - (before->free_pages - 100));
  // Nothing more to hand back.
  const auto again = reclaim_free_pages(*db, 300, 100);
  REQUIRE(describe(again) == "ok");
  CHECK(again->pages == after->pages);
}
