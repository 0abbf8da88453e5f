// Helpers shared by the db/ tests: a fresh database in a temp dir, a session record
// factory, and describe() so a failed REQUIRE shows the error's code and message.
#pragma once

#include <catch2/catch.hpp>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <utility>

#include <SQLiteCpp/SQLiteCpp.h>

#include "db/database.hpp"
#include "db/migrations.hpp"
#include "db/session_store.hpp"
#include "tests/support/temp_dir.hpp"

namespace passgate::db::test {

// The wall clock (ms since the epoch, November 2026) the tests' operations happen at.
inline constexpr std::int64_t kNow = 1'795'000'000'000;

// "ok", or "<code>: <message>".
template <class R>
std::string describe(const R& result) {
  return result.ok() ? "ok" : result.error().code + ": " + result.error().message;
}

inline std::unique_ptr<Database> open_or_fail(const std::filesystem::path& file) {
  auto opened = Database::open(file);
  REQUIRE(describe(opened) == "ok");
  return std::move(opened).value();
}

// A raw database file at schema `version` (the first `version` migrations run, nothing else),
// for the test of a later migration to fill before the gate opens it.
inline std::unique_ptr<SQLite::Database> raw_at_version(const std::filesystem::path& file, std::size_t version) {
  auto raw = std::make_unique<SQLite::Database>(file.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
  for (std::size_t v = 0; v < version; ++v) raw->exec(std::string(schema_migrations()[v]));
  raw->exec("PRAGMA user_version = " + std::to_string(version));
  return raw;
}

// Takes a database made at the latest version back to `version` (at least 19), as far as the
// test of a later migration needs: the objects of each later migration are dropped, so that it
// runs again at the next open.
inline void back_to_version(Database& db, int version) {
  // Migrations 24 to 26 undone together: no test goes back to a version between 23 and 25.
  REQUIRE((version < 23 || version >= 26));
  if (version < 26) {
    db.sql().exec(
        "DROP TRIGGER store_claimed_session; DROP TRIGGER store_release_token;"
        " DROP TRIGGER store_release_shopper_denied; DROP TRIGGER store_release_shopper_ended;"
        " ALTER TABLE sessions DROP COLUMN store_claimed; ALTER TABLE sessions DROP COLUMN double_use;"
        " ALTER TABLE store_double_uses DROP COLUMN cart; DELETE FROM gate_status WHERE name = 'store_instance'");
  }
  if (version < 23) {
    db.sql().exec(
        "DROP TRIGGER passage_totals_counted;"
        " DROP TABLE store_claims_pending; DROP TABLE store_double_uses; DROP TABLE passage_totals;"
        " DROP INDEX sessions_offline_admitted; ALTER TABLE sessions DROP COLUMN unverified;"
        " CREATE INDEX sessions_offline_admitted ON sessions (created_at_ms) WHERE offline = 1 AND state <> 'denied'");
  }
  if (version == 20 || version == 21) {
    // Migration 20's view and trigger again, as it made them (migration 22 replaced them).
    db.sql().exec("DROP TRIGGER card_blocklist_lifted_when_settled; DROP VIEW card_sessions_owing;"
                  " CREATE TRIGGER card_blocklist_lifted_when_paid AFTER UPDATE OF state ON payment_ops BEGIN SELECT 1; END");
    db.sql().exec(std::string(schema_migrations()[19]));
  }
  if (version < 21) db.sql().exec("ALTER TABLE payment_ops DROP COLUMN op_key_sent");
  if (version < 20) {
    db.sql().exec("DROP TRIGGER card_blocklist_lifted_when_settled; DROP VIEW card_sessions_owing;"
                  " CREATE TRIGGER card_blocklist_lifted_when_paid AFTER UPDATE OF state ON payment_ops BEGIN SELECT 1; END");
  }
  db.sql().exec("PRAGMA user_version = " + std::to_string(version));
}

// A database file in its own temp dir; reopen() simulates a restart of the daemon.
struct TestDatabase {
  passgate::test::TempDir dir;
  std::filesystem::path file = dir / "gate.db";
  std::unique_ptr<Database> db = open_or_fail(file);

  void reopen() {
    db.reset();
    db = open_or_fail(file);
  }
};

inline SessionRecord session(const std::string& session_id, const std::string& token_id,
                             std::int64_t created_at_ms = 1'795'000'000'000, std::int64_t token_expires_at = 1'795'000'120) {
  return SessionRecord{
      .session_id = session_id,
      .token_id = token_id,
      .token_expires_at = token_expires_at,
      .lane = 2,
      .shopper = "shp_8f2c",
      .group_size = 2,
      .admitted_at = "2026-11-18T10:13:20.000Z",
      .created_at_ms = created_at_ms,
      .offline = false,
      .state = SessionState::opening,
      .open_request = R"({"session_id":")" + session_id + R"(","lane":2})",
      .denial_reason = "",
      .pay_key_id = "",
      .pay_sealed = {},
  };
}

// The open request begin() queues with the session (as controller/tracking/messages.hpp builds it).
inline OutboxMessage open_request_of(const SessionRecord& s) {
  return OutboxMessage{.kind = "session_open", .target = "/v1/sessions", .body = s.open_request, .session_id = s.session_id};
}

// Begins `s` with its open request, as the admission does.
inline Status begin_session(SessionStore& store, const SessionRecord& s) { return store.begin(s, open_request_of(s)); }

}  // namespace passgate::db::test
