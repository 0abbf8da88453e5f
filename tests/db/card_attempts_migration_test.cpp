// Migration 15: a database of the version before gets the card tables, empty, and keeps every
// session it had; its app sessions stay as they were.
#include <catch2/catch.hpp>

#include <SQLiteCpp/SQLiteCpp.h>

#include "db/card_attempt_store.hpp"
#include "db/migrations.hpp"
#include "tests/db/card_attempt_support.hpp"
#include "tests/db/db_test_support.hpp"
#include "tests/support/temp_dir.hpp"

using namespace passgate::db;
using namespace passgate::db::test;

TEST_CASE("a database from before migration 15 gets the card tables and keeps its sessions") {
  passgate::test::TempDir dir;
  const auto file = dir / "gate.db";
  {
    SQLite::Database raw(file.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    for (std::size_t v = 0; v < 14; ++v) raw.exec(std::string(schema_migrations()[v]));
    raw.exec("PRAGMA user_version = 14");
    raw.exec("INSERT INTO sessions (session_id, token_id, token_expires_at, lane, shopper, group_size, admitted_at,"
             " created_at_ms, offline, state, open_request) VALUES ('s-app', 'jti', 1000, 1, 'shp', 2, '', 1, 0,"
             " 'open', '')");
  }
  auto db = open_or_fail(file);
  CHECK(db->schema_version() == latest_schema_version());
  SessionStore sessions(*db);
  const auto app = sessions.find("s-app");
  REQUIRE(describe(app) == "ok");
  REQUIRE(app->has_value());
  CHECK((*app)->state == SessionState::open);
  CardAttemptStore store(*db);
  const auto listed = store.unfinished();
  REQUIRE(describe(listed) == "ok");
  CHECK(listed->empty());
  // The card tables work on the migrated database; the app session's id cannot be armed.
  CHECK(code_of(store.arm(new_attempt("s-app", 1), kNow)) == "duplicate");
  CHECK(describe(store.arm(new_attempt("s-card", 1), kNow)) == "ok");
  // The partial unique index keeps a second unfinished attempt off the lane whatever writes it.
  CHECK_THROWS(db->sql().exec(
      "INSERT INTO card_attempts (session_id, lane, reader_id, currency, hold_minor, key_customer, key_hold,"
      " key_confirm, key_process, key_void, key_collect, key_cancel_action, state, armed_at_ms)"
      " VALUES ('x', 1, 'r', 'eur', 1, 'x:1', 'x:2', 'x:3', 'x:4', 'x:5', 'x:6', 'x:7', 'armed', 0)"));
}
