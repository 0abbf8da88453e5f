// Outbox order within a session, dead letters and the operators' two answers to them, and
// migration 7 filling in the session of messages queued before it.
#include <catch2/catch.hpp>

#include <SQLiteCpp/SQLiteCpp.h>

#include "db/migrations.hpp"
#include "db/outbox.hpp"
#include "tests/db/db_test_support.hpp"
#include "tests/support/temp_dir.hpp"

using namespace passgate::db;
using namespace passgate::db::test;

namespace {

OutboxMessage outbox_open_of(const std::string& session) {
  return {.kind = "session_open", .target = "/v1/sessions", .body = R"({"session_id":")" + session + R"("})",
          .session_id = session};
}

OutboxMessage outbox_passage_of(const std::string& session) {
  return {.kind = "passage", .target = "/v1/passages", .body = R"({"session_id":")" + session + R"("})",
          .session_id = session};
}

OutboxMessage outbox_cancel_of(const std::string& session) {
  return {.kind = "cancel", .target = "/v1/sessions/" + session + "/cancel", .body = "{}", .session_id = session};
}

OutboxMessage outbox_passage_of_nobody() {
  return {.kind = "passage", .target = "/v1/passages", .body = R"({"session_id":null})", .session_id = ""};
}

std::vector<std::int64_t> outbox_sendable_ids(Outbox& outbox, std::int64_t after = 0, int limit = 100) {
  auto items = outbox.sendable(after, limit);
  REQUIRE(describe(items) == "ok");
  std::vector<std::int64_t> ids;
  for (const auto& item : *items) ids.push_back(item.id);
  return ids;
}

std::int64_t outbox_enqueue(Outbox& outbox, const OutboxMessage& m) {
  auto id = outbox.enqueue(m, 1000);
  REQUIRE(describe(id) == "ok");
  return *id;
}

std::int64_t outbox_audit_rows(Database& db, const std::string& action) {
  SQLite::Statement count(db.sql(), "SELECT COUNT(*) FROM audit_log WHERE action = ?1");
  count.bind(1, action);
  count.executeStep();
  return count.getColumn(0).getInt64();
}

}  // namespace

TEST_CASE("only the oldest message of each session may be sent, messages of no session always may") {
  TestDatabase t;
  Outbox outbox(*t.db);
  const auto open_a = outbox_enqueue(outbox, outbox_open_of("a"));
  const auto passage_a = outbox_enqueue(outbox, outbox_passage_of("a"));
  const auto nobody = outbox_enqueue(outbox, outbox_passage_of_nobody());
  const auto open_b = outbox_enqueue(outbox, outbox_open_of("b"));
  const auto cancel_a = outbox_enqueue(outbox, outbox_cancel_of("a"));
  const auto nobody_2 = outbox_enqueue(outbox, outbox_passage_of_nobody());
  CHECK(outbox_sendable_ids(outbox) == std::vector<std::int64_t>{open_a, nobody, open_b, nobody_2});
  // Paged: ids above `after`, at most `limit`.
  CHECK(outbox_sendable_ids(outbox, nobody, 1) == std::vector<std::int64_t>{open_b});

  REQUIRE(outbox.remove(open_a).ok());
  CHECK(outbox_sendable_ids(outbox) == std::vector<std::int64_t>{passage_a, nobody, open_b, nobody_2});
  REQUIRE(outbox.remove(passage_a).ok());
  CHECK(outbox_sendable_ids(outbox) == std::vector<std::int64_t>{nobody, open_b, cancel_a, nobody_2});
}

TEST_CASE("a dead letter is not sent and holds back only its own session's later messages") {
  TestDatabase t;
  Outbox outbox(*t.db);
  const auto open_a = outbox_enqueue(outbox, outbox_open_of("a"));
  (void)outbox_enqueue(outbox, outbox_cancel_of("a"));  // held: a later message of the dead letter's session
  const auto open_b = outbox_enqueue(outbox, outbox_open_of("b"));
  REQUIRE(outbox.record_failure(open_a, 2000, "HTTP 400: bad", true).ok());
  REQUIRE(outbox.make_dead_letter(open_a, 3000, "HTTP 400: bad").ok());

  CHECK(outbox_sendable_ids(outbox) == std::vector<std::int64_t>{open_b});
  auto dead = outbox.dead_letters(10);
  REQUIRE(describe(dead) == "ok");
  REQUIRE(dead->size() == 1);
  CHECK(dead->front().id == open_a);
  CHECK(dead->front().dead_at_ms == 3000);
  CHECK(dead->front().rejections == 2);
  CHECK(dead->front().attempts == 2);
  CHECK(dead->front().last_error == "HTTP 400: bad");
  CHECK(dead->front().message.session_id == "a");

  auto summary = outbox.summary();
  REQUIRE(describe(summary) == "ok");
  CHECK(summary->waiting == 2);
  CHECK(summary->dead_letters == 1);
  REQUIRE(summary->oldest);
  CHECK(summary->oldest->id == open_b);  // the oldest that may be sent: cancel_a waits behind the dead letter
  CHECK(*outbox.size() == 2);
}

TEST_CASE("an operator sends a dead letter again or drops it, each in the audit log, other messages cannot be") {
  TestDatabase t;
  Outbox outbox(*t.db);
  const auto open_a = outbox_enqueue(outbox, outbox_open_of("a"));
  const auto cancel_a = outbox_enqueue(outbox, outbox_cancel_of("a"));
  REQUIRE(outbox.make_dead_letter(open_a, 3000, "HTTP 422: unprocessable").ok());

  SECTION("only a dead letter qualifies") {
    auto not_dead = outbox.retry_dead_letter(cancel_a, "alice", 4000);
    REQUIRE_FALSE(not_dead.ok());
    CHECK(not_dead.error().code == "wrong_state");
    auto missing = outbox.drop_dead_letter(999, "gone", "alice", 4000);
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().code == "not_found");
    CHECK(outbox_audit_rows(*t.db, "outbox_retry") + outbox_audit_rows(*t.db, "outbox_drop") == 0);
  }
  SECTION("retry: sent again, its rejections counted afresh") {
    auto was = outbox.retry_dead_letter(open_a, "alice", 4000);
    REQUIRE(describe(was) == "ok");
    CHECK(was->dead_at_ms == 3000);
    CHECK(outbox_sendable_ids(outbox) == std::vector<std::int64_t>{open_a});
    auto front = outbox.front();
    REQUIRE(describe(front) == "ok");
    CHECK((*front)->rejections == 0);
    CHECK((*front)->next_attempt_at_ms == 4000);
    CHECK(outbox_audit_rows(*t.db, "outbox_retry") == 1);
    CHECK(outbox.retry_dead_letter(open_a, "alice", 4000).error().code == "wrong_state");
  }
  SECTION("drop: gone for good, with a reason; the session's next message goes on") {
    auto no_reason = outbox.drop_dead_letter(open_a, "", "alice", 4000);
    REQUIRE_FALSE(no_reason.ok());
    CHECK(no_reason.error().code == "bad_reason");
    auto was = outbox.drop_dead_letter(open_a, "engine lost the store's config; reopened by hand", "alice", 4000);
    REQUIRE(describe(was) == "ok");
    CHECK(was->message.kind == "session_open");
    CHECK(outbox_sendable_ids(outbox) == std::vector<std::int64_t>{cancel_a});
    CHECK(outbox_audit_rows(*t.db, "outbox_drop") == 1);
    SQLite::Statement detail(t.db->sql(), "SELECT actor, detail FROM audit_log WHERE action = 'outbox_drop'");
    REQUIRE(detail.executeStep());
    CHECK(detail.getColumn(0).getString() == "alice");
    CHECK_THAT(detail.getColumn(1).getString(),
               Catch::Contains("session_open of session a") && Catch::Contains("HTTP 422") &&
                   Catch::Contains("reopened by hand"));
  }
}

TEST_CASE("migration 7 finds the session of each message queued before it") {
  passgate::test::TempDir dir;
  const auto file = dir / "gate.db";
  {
    SQLite::Database raw(file.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    for (std::size_t v = 0; v < 6; ++v) raw.exec(std::string(schema_migrations()[v]));
    raw.exec("PRAGMA user_version = 6");
    raw.exec(R"(INSERT INTO outbox (kind, target, body, created_at_ms, next_attempt_at_ms, attempts) VALUES
      ('session_open', '/v1/sessions', '{"session_id":"s-open","lane":1}', 1, 1, 3),
      ('passage', '/v1/passages', '{"passage_id":"p","session_id":"s-open"}', 2, 2, 0),
      ('passage', '/v1/passages', '{"passage_id":"q","session_id":null}', 3, 3, 0),
      ('cancel', '/v1/sessions/s-cancel/cancel', '{"reason":"no_passage"}', 4, 4, 0),
      ('passage', '/v1/passages', 'not json', 5, 5, 0))");
  }
  auto db = open_or_fail(file);
  CHECK(db->schema_version() == latest_schema_version());
  SQLite::Statement rows(db->sql(), "SELECT session_id, attempts, rejections, dead_at_ms FROM outbox ORDER BY id");
  std::vector<std::string> sessions;
  while (rows.executeStep()) {
    sessions.push_back(rows.getColumn(0).isNull() ? "NULL" : rows.getColumn(0).getString());
    CHECK(rows.getColumn(2).getInt() == 0);
    CHECK(rows.getColumn(3).getInt64() == 0);
  }
  CHECK(sessions == std::vector<std::string>{"s-open", "s-open", "NULL", "s-cancel", "NULL"});
  Outbox outbox(*db);
  CHECK(outbox_sendable_ids(outbox) == std::vector<std::int64_t>{1, 3, 4, 5});
}
