// FileSpace (db/file_space.hpp) and the bounds Database::open sets: incremental auto-vacuum
// on a new file and, by one VACUUM at open, on a small file made before it (a large one is
// left as it is), the attempt recorded before it starts so a start killed during it is not
// retried at every restart; free pages handed back a step at a time; the page cache and the
// WAL kept after a checkpoint bounded.
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <cstring>

#include <SQLiteCpp/SQLiteCpp.h>
#include <sqlite3.h>

#include "db/file_space.hpp"
#include "db/migrations.hpp"
#include "tests/db/db_test_support.hpp"
#include "tests/support/captured_log.hpp"

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

// Stops a connection's VACUUM from the inside once the attempt's record is committed: the
// record's insert (update hook) and its commit (WAL hook, after the commit is written) arm
// it; the next SQLite instructions run (the VACUUM's) end the process as a SIGKILL would
// (`exit_process`), or interrupt that statement once (SQLITE_INTERRUPT, a failed VACUUM).
struct VacuumStopper {
  static inline bool recorded = false;
  static inline bool committed = false;
  static inline bool exit_process = false;
  static inline int interrupts = 0;

  explicit VacuumStopper(SQLite::Database& sql, bool exit) {
    recorded = committed = false;
    exit_process = exit;
    interrupts = 0;
    sqlite3_update_hook(
        sql.getHandle(),
        [](void*, int, const char*, const char* table, sqlite3_int64) {
          if (std::strcmp(table, "gate_status") == 0) recorded = true;
        },
        nullptr);
    sqlite3_wal_hook(
        sql.getHandle(),
        [](void*, sqlite3*, const char*, int) {
          committed = committed || recorded;
          return SQLITE_OK;
        },
        nullptr);
    sqlite3_progress_handler(
        sql.getHandle(), 50,
        [](void*) -> int {
          if (!committed) return 0;
          if (exit_process) _exit(0);
          return interrupts++ == 0 ? 1 : 0;
        },
        nullptr);
  }
};

bool attempt_recorded(Database& db) {
  return db.sql().execAndGet(std::string("SELECT COUNT(*) FROM gate_status WHERE name = '") + kVacuumAttempt + "'")
             .getInt() == 1;
}

}  // namespace

TEST_CASE("a new database uses incremental auto-vacuum, a 1 MiB page cache and a WAL cut to 8 MiB") {
  TestDatabase t;
  SQLite::Database& sql = t.db->sql();
  CHECK(sql.execAndGet("PRAGMA auto_vacuum").getInt() == 2);  // incremental
  CHECK(sql.execAndGet("PRAGMA cache_size").getInt() == -1024);
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
  const passgate::test::CapturedLog log;
  const auto db = open_or_fail(file);
  CHECK(db->sql().execAndGet("PRAGMA auto_vacuum").getInt() == 2);
  CHECK(db->sql().execAndGet("SELECT COUNT(*) FROM audit_log").getInt() == 500);
  CHECK(db->schema_version() == latest_schema_version());
  CHECK(db->sql().execAndGet("PRAGMA journal_mode").getString() == "wal");
  // Said before it starts, with the size it rewrites; its record gone once it is done.
  const std::string text = log.text();
  const auto started = text.find("event=database_vacuum_started path=" + file.string() + " data_bytes=");
  CHECK(started != std::string::npos);
  CHECK(text.find("event=database_vacuumed") > started);
  CHECK_FALSE(attempt_recorded(*db));
}

TEST_CASE("a start killed during the one-time VACUUM is not retried at every restart, and the switch by hand works") {
  passgate::test::TempDir dir;
  const auto file = dir / "gate.db";
  make_legacy_database(file, 500, false);
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    // A start that systemd kills in the middle of the VACUUM (its start time-out).
    SQLite::Database sql(file.string(), SQLite::OPEN_READWRITE);
    const VacuumStopper stopper(sql, true);
    use_incremental_vacuum(sql, file);
    _exit(1);  // the VACUUM was never started, or finished
  }
  int status = 0;
  REQUIRE(waitpid(child, &status, 0) == child);
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);

  const passgate::test::CapturedLog log;
  for (int start = 1; start <= 2; ++start) {
    const auto db = open_or_fail(file);
    CHECK(db->sql().execAndGet("PRAGMA auto_vacuum").getInt() == 0);  // not switched, not tried again
    CHECK(db->sql().execAndGet("SELECT COUNT(*) FROM audit_log").getInt() == 500);
    CHECK(attempt_recorded(*db));
    CHECK(log.count("event=database_vacuum_skipped reason=interrupted") == start);
  }
  CHECK(log.count("event=database_vacuum_started") == 0);

  // By hand, with the service stopped (docs/operations.md); the next start forgets the record.
  {
    SQLite::Database raw(file.string(), SQLite::OPEN_READWRITE);
    raw.exec("PRAGMA auto_vacuum = INCREMENTAL; VACUUM;");
  }
  const auto db = open_or_fail(file);
  CHECK(db->sql().execAndGet("PRAGMA auto_vacuum").getInt() == 2);
  CHECK(db->sql().execAndGet("SELECT COUNT(*) FROM audit_log").getInt() == 500);
  CHECK_FALSE(attempt_recorded(*db));
}

TEST_CASE("a one-time VACUUM that fails leaves no record, and the next start tries again") {
  passgate::test::TempDir dir;
  const auto file = dir / "gate.db";
  make_legacy_database(file, 500, false);
  const passgate::test::CapturedLog log;
  {
    SQLite::Database sql(file.string(), SQLite::OPEN_READWRITE);
    const VacuumStopper stopper(sql, false);
    use_incremental_vacuum(sql, file);
    CHECK(sql.execAndGet("PRAGMA auto_vacuum").getInt() == 0);
  }
  CHECK(log.count("event=database_vacuum_failed") == 1);
  const auto db = open_or_fail(file);
  CHECK(db->sql().execAndGet("PRAGMA auto_vacuum").getInt() == 2);
  CHECK_FALSE(attempt_recorded(*db));
  CHECK(log.count("event=database_vacuumed") == 1);
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
