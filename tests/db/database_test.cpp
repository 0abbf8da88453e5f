// Database::open: the schema, the durability settings, file permissions, refusing what it
// cannot use (newer schema, not a database, unreachable path) with a clear error, and how
// SQLite's full-disk and lock errors reach callers.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <fstream>
#include <string>

#include <SQLiteCpp/SQLiteCpp.h>

#include "db/migrations.hpp"
#include "db/outbox.hpp"
#include "tests/db/db_test_support.hpp"

using Catch::Matchers::Contains;
using namespace passgate::db;
using namespace passgate::db::test;

namespace {

int mode_of(const std::filesystem::path& file) {
  struct stat st {};
  REQUIRE(::stat(file.c_str(), &st) == 0);
  return static_cast<int>(st.st_mode & 0777);
}

// Restores the process umask when the test ends.
class UmaskForTest {
 public:
  explicit UmaskForTest(mode_t mask) : previous_(::umask(mask)) {}
  ~UmaskForTest() { ::umask(previous_); }
  UmaskForTest(const UmaskForTest&) = delete;
  UmaskForTest& operator=(const UmaskForTest&) = delete;

 private:
  mode_t previous_;
};

}  // namespace

TEST_CASE("open creates the schema in WAL mode with synchronous FULL, foreign keys and a busy timeout") {
  TestDatabase t;
  SQLite::Database& sql = t.db->sql();
  for (const char* table : {"sessions", "used_tokens", "outbox"}) {
    INFO(table);
    CHECK(sql.tableExists(table));
  }
  CHECK(sql.execAndGet("PRAGMA journal_mode").getString() == "wal");
  CHECK(sql.execAndGet("PRAGMA synchronous").getInt() == 2);  // FULL
  CHECK(sql.execAndGet("PRAGMA foreign_keys").getInt() == 1);
  CHECK(sql.execAndGet("PRAGMA busy_timeout").getInt() == Database::kBusyTimeoutMs);
  CHECK(sql.execAndGet("PRAGMA user_version").getInt() == latest_schema_version());
  CHECK(t.db->schema_version() == latest_schema_version());
}

TEST_CASE("a new database file and its WAL are readable and writable by the owner only") {
  const UmaskForTest umask(022);
  TestDatabase t;
  CHECK(mode_of(t.file) == 0600);
  CHECK(mode_of(t.dir / "gate.db-wal") == 0600);
}

TEST_CASE("reopening an up-to-date database keeps its schema version") {
  TestDatabase t;
  t.reopen();
  CHECK(t.db->schema_version() == latest_schema_version());
  CHECK(t.db->sql().execAndGet("PRAGMA user_version").getInt() == latest_schema_version());
}

TEST_CASE("a database written by a newer passgated is refused") {
  TestDatabase t;
  t.db.reset();
  {
    SQLite::Database raw(t.file.string(), SQLite::OPEN_READWRITE);
    raw.exec("PRAGMA user_version = 99");
  }
  const auto opened = Database::open(t.file);
  REQUIRE_FALSE(opened.ok());
  CHECK(opened.error().code == "schema_too_new");
  CHECK_THAT(opened.error().message,
             Contains(t.file.string()) &&
                 Contains("database schema version 99 is newer than this passgated supports (" +
                          std::to_string(latest_schema_version()) + "); downgrade is not supported"));
}

TEST_CASE("a file that is not a database is refused with a clear error") {
  passgate::test::TempDir dir;
  const auto file = dir / "gate.db";
  std::ofstream(file) << std::string(4096, 'x');
  const auto opened = Database::open(file);
  REQUIRE_FALSE(opened.ok());
  CHECK(opened.error().code == "db_error");
  CHECK_THAT(opened.error().message, Contains("open database " + file.string()) && Contains("file is not a database"));
}

TEST_CASE("a database in a missing directory is refused naming the path") {
  passgate::test::TempDir dir;
  const auto file = dir / "missing" / "gate.db";
  const auto opened = Database::open(file);
  REQUIRE_FALSE(opened.ok());
  CHECK(opened.error().code == "db_error");
  CHECK_THAT(opened.error().message, Contains("open database " + file.string()) && Contains("unable to open"));
}

TEST_CASE("a full disk fails the write with disk_full and leaves nothing half written") {
  TestDatabase t;
  SessionStore store(*t.db);
  const int pages = t.db->sql().execAndGet("PRAGMA page_count").getInt();
  t.db->sql().exec("PRAGMA max_page_count = " + std::to_string(pages + 4));

  passgate::Status status;
  std::string failed_session;
  for (int i = 0; i < 100 && status.ok(); ++i) {
    SessionRecord s = session("session-" + std::to_string(i), "jti-" + std::to_string(i));
    s.open_request = std::string(3000, 'x');
    failed_session = s.session_id;
    status = begin_session(store, s);
  }
  REQUIRE_FALSE(status.ok());
  CHECK(status.error().code == "disk_full");
  CHECK_THAT(status.error().message, Contains("insert session " + failed_session + ": database or disk is full"));

  const auto found = store.find(failed_session);
  REQUIRE(describe(found) == "ok");
  CHECK_FALSE(found->has_value());
  const std::string failed_token = "jti-" + failed_session.substr(std::string("session-").size());
  const auto used = store.token_used(failed_token);
  REQUIRE(describe(used) == "ok");
  CHECK_FALSE(*used);

  t.db->sql().exec("PRAGMA max_page_count = 1000000");
  CHECK(describe(begin_session(store, session(failed_session, failed_token))) == "ok");
}

TEST_CASE("a write blocked by another connection's lock fails with db_busy") {
  TestDatabase t;
  SessionStore store(*t.db);
  t.db->sql().setBusyTimeout(0);  // fail at once instead of waiting kBusyTimeoutMs
  SQLite::Database other(t.file.string(), SQLite::OPEN_READWRITE);
  {
    SQLite::Transaction writer(other, SQLite::TransactionBehavior::IMMEDIATE);
    const passgate::Status blocked = begin_session(store, session("s1", "jti-1"));
    REQUIRE_FALSE(blocked.ok());
    CHECK(blocked.error().code == "db_busy");
    CHECK_THAT(blocked.error().message, Contains("insert session s1"));
  }
  CHECK(describe(begin_session(store, session("s1", "jti-1"))) == "ok");
}

TEST_CASE("another process can open and read the database while the daemon is writing") {
  TestDatabase daemon;
  SessionStore daemon_sessions(*daemon.db);
  REQUIRE(describe(begin_session(daemon_sessions, session("s1", "jti-1"))) == "ok");

  SQLite::Transaction writing(daemon.db->sql(), SQLite::TransactionBehavior::IMMEDIATE);
  Outbox::insert(daemon.db->sql(), {.kind = "cancel", .target = "/v1/x", .body = "{}", .session_id = "s1"}, 1);

  const auto ctl = open_or_fail(daemon.file);
  const auto sessions = SessionStore(*ctl).all();
  REQUIRE(describe(sessions) == "ok");
  CHECK(sessions->size() == 1);
  Outbox ctl_outbox(*ctl);
  CHECK(*ctl_outbox.size() == 1);  // the session's open request only: the cancel is not committed yet

  writing.commit();
  CHECK(*ctl_outbox.size() == 2);
}
