// Migration 8: a database from a passgated that forgot used token ids as soon as their tokens
// ended gets them back from its sessions, so a clock stepping back after the upgrade cannot
// admit a token used just before it.
#include <catch2/catch.hpp>

#include <SQLiteCpp/SQLiteCpp.h>

#include "db/migrations.hpp"
#include "db/session_store.hpp"
#include "tests/db/db_test_support.hpp"
#include "tests/support/temp_dir.hpp"

using namespace passgate::db;
using namespace passgate::db::test;

TEST_CASE("a database from before migration 8 claims the ids of the sessions still holding their tokens") {
  passgate::test::TempDir dir;
  const auto file = dir / "gate.db";
  {
    SQLite::Database raw(file.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    for (std::size_t v = 0; v < 7; ++v) raw.exec(std::string(schema_migrations()[v]));
    raw.exec("PRAGMA user_version = 7");
    // The old purge forgot the ids of every session below but s-kept's; the denial for
    // lane_unavailable freed its token, the one for shopper_blocked kept it; jti-twice was
    // denied (freed) and then admitted.
    const auto add = [&raw](const char* session, const char* jti, const char* state, const char* reason,
                            int created_at_ms) {
      SQLite::Statement insert(raw,
                               "INSERT INTO sessions (session_id, token_id, token_expires_at, lane, shopper, group_size,"
                               " admitted_at, created_at_ms, offline, state, denial_reason, open_request)"
                               " VALUES (?1, ?2, 1000, 1, 'shp', 1, '', ?5, 0, ?3, ?4, '')");
      insert.bind(1, session);
      insert.bind(2, jti);
      insert.bind(3, state);
      insert.bind(4, reason);
      insert.bind(5, created_at_ms);
      insert.exec();
    };
    add("s-open", "jti-open", "open", "", 1);
    add("s-opening", "jti-opening", "opening", "", 1);
    add("s-cancelled", "jti-cancelled", "cancelled", "", 1);
    add("s-kept", "jti-kept", "open_offline", "", 1);
    add("s-denied", "jti-denied", "denied", "lane_unavailable", 1);
    add("s-blocked", "jti-blocked", "denied", "shopper_blocked", 1);
    add("s-twice-denied", "jti-twice", "denied", "db_error", 1);
    add("s-twice", "jti-twice", "open", "", 2);
    raw.exec("INSERT INTO used_tokens (token_id, expires_at, session_id) VALUES ('jti-kept', 2000, 's-kept')");
  }
  auto db = open_or_fail(file);
  CHECK(db->schema_version() == latest_schema_version());
  SessionStore store(*db);
  for (const char* jti : {"jti-open", "jti-opening", "jti-cancelled", "jti-kept", "jti-blocked", "jti-twice"}) {
    const auto used = store.token_used(jti);
    REQUIRE(describe(used) == "ok");
    CHECK(*used);
  }
  const auto denied = store.token_used("jti-denied");
  REQUIRE(describe(denied) == "ok");
  CHECK_FALSE(*denied);
  SQLite::Statement kept(db->sql(), "SELECT expires_at FROM used_tokens WHERE token_id = 'jti-kept'");
  REQUIRE(kept.executeStep());
  CHECK(kept.getColumn(0).getInt64() == 2000);  // a held id keeps its row
  SQLite::Statement twice(db->sql(), "SELECT session_id FROM used_tokens WHERE token_id = 'jti-twice'");
  REQUIRE(twice.executeStep());
  CHECK(twice.getColumn(0).getString() == "s-twice");
}
