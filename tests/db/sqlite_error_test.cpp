// SQLite result codes become the stable error codes callers branch on, with context.
#include <catch2/catch.hpp>

#include <sqlite3.h>

#include <stdexcept>

#include <SQLiteCpp/Exception.h>

#include "db/sqlite_error.hpp"

using passgate::Status;
using passgate::db::guarded;
using passgate::db::sqlite_error;

TEST_CASE("SQLite result codes map to disk_full, db_busy or db_error") {
  CHECK(sqlite_error("x", SQLITE_FULL, "m").code == "disk_full");
  CHECK(sqlite_error("x", SQLITE_BUSY, "m").code == "db_busy");
  CHECK(sqlite_error("x", SQLITE_BUSY_SNAPSHOT, "m").code == "db_busy");
  CHECK(sqlite_error("x", SQLITE_LOCKED, "m").code == "db_busy");
  CHECK(sqlite_error("x", SQLITE_CORRUPT, "m").code == "db_error");
  CHECK(sqlite_error("x", SQLITE_CONSTRAINT_PRIMARYKEY, "m").code == "db_error");
  CHECK(sqlite_error("x", -1, "m").code == "db_error");
}

TEST_CASE("an SQLite error message starts with what was being done") {
  CHECK(sqlite_error("insert session 1234", SQLITE_FULL, "database or disk is full").message ==
        "insert session 1234: database or disk is full");
}

TEST_CASE("guarded turns every exception into an error value") {
  const Status from_sqlite =
      guarded("write", []() -> Status { throw SQLite::Exception("database or disk is full", SQLITE_FULL); });
  REQUIRE_FALSE(from_sqlite.ok());
  CHECK(from_sqlite.error().code == "disk_full");
  CHECK(from_sqlite.error().message == "write: database or disk is full");

  const Status from_elsewhere = guarded("read", []() -> Status { throw std::runtime_error("bad row"); });
  REQUIRE_FALSE(from_elsewhere.ok());
  CHECK(from_elsewhere.error().code == "db_error");
  CHECK(from_elsewhere.error().message == "read: bad row");
}
