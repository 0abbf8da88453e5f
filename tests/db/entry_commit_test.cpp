// The entry's one synced commit (SessionStore::begin_all: sessions, token ids and open
// requests of scans that arrived together) and what the state change that ends `opening`
// does with the open request it queued; relaxed commits and their sync (Database).
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <SQLiteCpp/SQLiteCpp.h>

#include "db/outbox.hpp"
#include "tests/db/db_test_support.hpp"

using namespace passgate::db;
using namespace passgate::db::test;

namespace {

const OutboxMessage kCancel{.kind = "cancel", .target = "/v1/sessions/s1/cancel", .body = "{}", .session_id = "s1"};

std::int64_t count(Database& db, const std::string& sql) {
  return db.sql().execAndGet(sql).getInt64();
}

std::vector<std::string> kinds_queued_for(Database& db, const std::string& session_id) {
  SQLite::Statement query(db.sql(), "SELECT kind FROM outbox WHERE session_id = ?1 ORDER BY id");
  query.bind(1, session_id);
  std::vector<std::string> kinds;
  while (query.executeStep()) kinds.push_back(query.getColumn(0).getString());
  return kinds;
}

SessionStore::NewSession new_session(const std::string& id, const std::string& jti) {
  SessionRecord s = session(id, jti);
  return {s, open_request_of(s)};
}

}  // namespace

TEST_CASE("sessions begun together each get their own outcome in one transaction") {
  TestDatabase t;
  SessionStore store(*t.db);
  REQUIRE(describe(begin_session(store, session("before", "jti-used"))) == "ok");

  SessionRecord old = session("old", "jti-old", kNow, 1000);
  REQUIRE(describe(store.purge_used_tokens(1000 + kUsedTokenMarginS + 10)) == "ok");
  const auto outcomes = store.begin_all({new_session("a", "jti-a"), new_session("replay", "jti-used"),
                                         {old, open_request_of(old)}, new_session("b", "jti-b"),
                                         new_session("twin", "jti-a")});
  REQUIRE(describe(outcomes) == "ok");
  REQUIRE(outcomes->size() == 5);
  CHECK(describe((*outcomes)[0]) == "ok");
  CHECK((*outcomes)[1].error().code == "replayed");
  CHECK((*outcomes)[2].error().code == "expired");
  CHECK(describe((*outcomes)[3]) == "ok");
  CHECK((*outcomes)[4].error().code == "replayed");  // the same token on two lanes at once: one wins

  // Only the sessions that were begun are there, each with its token id and open request.
  CHECK(count(*t.db, "SELECT COUNT(*) FROM sessions WHERE session_id IN ('a', 'b')") == 2);
  CHECK(count(*t.db, "SELECT COUNT(*) FROM sessions WHERE session_id IN ('replay', 'old', 'twin')") == 0);
  CHECK(count(*t.db, "SELECT COUNT(*) FROM used_tokens WHERE token_id = 'jti-old'") == 0);
  CHECK(t.db->sql().execAndGet("SELECT session_id FROM used_tokens WHERE token_id = 'jti-a'").getString() == "a");
  CHECK(kinds_queued_for(*t.db, "a") == std::vector<std::string>{"session_open"});
  CHECK(kinds_queued_for(*t.db, "b") == std::vector<std::string>{"session_open"});
  CHECK(kinds_queued_for(*t.db, "twin").empty());
}

TEST_CASE("a batch whose transaction fails writes none of its sessions") {
  TestDatabase t;
  SessionStore store(*t.db);
  t.db->sql().exec(
      "CREATE TEMP TRIGGER refuse_b BEFORE INSERT ON sessions WHEN NEW.session_id = 'b'"
      " BEGIN SELECT RAISE(ABORT, 'disk full, say'); END");
  const auto outcomes = store.begin_all({new_session("a", "jti-a"), new_session("b", "jti-b")});
  REQUIRE_FALSE(outcomes.ok());
  CHECK(outcomes.error().message == "insert 2 sessions: disk full, say");
  CHECK(count(*t.db, "SELECT COUNT(*) FROM sessions") == 0);
  CHECK(count(*t.db, "SELECT COUNT(*) FROM used_tokens") == 0);
  CHECK(count(*t.db, "SELECT COUNT(*) FROM outbox") == 0);
}

TEST_CASE("the open request of an opening session is held back, and its session's later messages with it") {
  TestDatabase t;
  SessionStore store(*t.db);
  Outbox outbox(*t.db);
  REQUIRE(describe(begin_session(store, session("s1", "jti-1"))) == "ok");
  REQUIRE(describe(outbox.enqueue({.kind = "passage", .target = "/v1/passages", .body = "{}", .session_id = ""}, 1)) ==
          "ok");
  REQUIRE(describe(outbox.enqueue({.kind = "passage", .target = "/v1/passages", .body = "{}", .session_id = "s1"}, 1)) ==
          "ok");
  const auto sendable = outbox.sendable(0, 10);
  REQUIRE(describe(sendable) == "ok");
  REQUIRE(sendable->size() == 1);
  CHECK(sendable->front().message.session_id.empty());  // of no session: not held; s1's passage waits

  REQUIRE(describe(store.mark_open_offline("s1", open_request_of(session("s1", "jti-1")), 2)) == "ok");
  const auto after = outbox.sendable(0, 10);
  REQUIRE(after->size() == 2);
  CHECK(after->front().message.kind == "session_open");  // s1's passage waits until it is delivered
  CHECK(after->back().message.session_id.empty());
  CHECK(kinds_queued_for(*t.db, "s1") == std::vector<std::string>{"session_open", "passage"});  // not queued twice
}

TEST_CASE("ending opening says what becomes of the open request begin queued") {
  TestDatabase t;
  SessionStore store(*t.db);
  for (const char* id : {"open", "denied", "after-open", "abandoned"}) {
    REQUIRE(describe(begin_session(store, session(id, std::string("jti-") + id))) == "ok");
  }
  REQUIRE(describe(store.mark_open("open")) == "ok");
  CHECK(kinds_queued_for(*t.db, "open").empty());  // delivered

  REQUIRE(describe(store.mark_denied("denied", "shopper_blocked", false, kNow)) == "ok");
  CHECK(kinds_queued_for(*t.db, "denied").empty());  // refused, or never sent

  const auto open_of = [](const std::string& id) { return open_request_of(session(id, "jti-" + id)); };
  const OutboxMessage cancel{.kind = "cancel", .target = "/c", .body = "{}", .session_id = "after-open"};
  REQUIRE(describe(store.deny_after_open("after-open", "offline_limit", true, open_of("after-open"), cancel, 3)) ==
          "ok");
  CHECK(kinds_queued_for(*t.db, "after-open") == std::vector<std::string>{"session_open", "cancel"});

  const OutboxMessage cancel2{.kind = "cancel", .target = "/c2", .body = "{}", .session_id = "abandoned"};
  REQUIRE(describe(store.abandon_opening("abandoned", open_of("abandoned"), cancel2, 4)) == "ok");
  CHECK(kinds_queued_for(*t.db, "abandoned") == std::vector<std::string>{"session_open", "cancel"});
}

TEST_CASE("a session an older passgated left opening, with nothing queued, gets its open request before the cancel") {
  TestDatabase t;
  SessionStore store(*t.db);
  const SessionRecord s1 = session("s1", "jti-1");
  REQUIRE(describe(begin_session(store, s1)) == "ok");
  t.db->sql().exec("DELETE FROM outbox");  // as an older passgated wrote it

  REQUIRE(describe(store.abandon_opening("s1", open_request_of(s1), kCancel, 9)) == "ok");
  CHECK(kinds_queued_for(*t.db, "s1") == std::vector<std::string>{"session_open", "cancel"});
  const auto front = Outbox(*t.db).front();
  CHECK((*front)->message.body == s1.open_request);
}

TEST_CASE("a relaxed commit is unsynced until a synced commit or sync() covers it") {
  TestDatabase t;
  SessionStore store(*t.db);
  CHECK_FALSE(t.db->unsynced());
  REQUIRE(describe(begin_session(store, session("s1", "jti-1"))) == "ok");
  CHECK_FALSE(t.db->unsynced());

  REQUIRE(describe(t.db->relaxed([&] { return store.mark_open("s1"); })) == "ok");
  CHECK(t.db->unsynced());
  CHECK(t.db->sql().execAndGet("PRAGMA synchronous").getInt() == 2);  // FULL again after it

  // A synced commit's fsync covers the WAL before it.
  REQUIRE(describe(begin_session(store, session("s2", "jti-2"))) == "ok");
  CHECK_FALSE(t.db->unsynced());
  REQUIRE(describe(t.db->sync(5)) == "ok");  // nothing to do
  CHECK(count(*t.db, "SELECT COUNT(*) FROM gate_status WHERE name = 'wal_synced_at_ms'") == 0);

  REQUIRE(describe(t.db->relaxed([&] { return store.mark_open("s2"); })) == "ok");
  CHECK(t.db->unsynced());
  REQUIRE(describe(t.db->sync(7)) == "ok");
  CHECK_FALSE(t.db->unsynced());
  CHECK(count(*t.db, "SELECT updated_at_ms FROM gate_status WHERE name = 'wal_synced_at_ms'") == 7);

  // A commit that writes nothing syncs nothing: a relaxed commit before it stays unsynced.
  REQUIRE(describe(begin_session(store, session("s3", "jti-3"))) == "ok");
  REQUIRE(describe(t.db->relaxed([&] { return store.mark_open("s3"); })) == "ok");
  CHECK(begin_session(store, session("s4", "jti-3")).error().code == "replayed");  // committed, wrote nothing
  CHECK(t.db->unsynced());
  const auto failed = t.db->relaxed([&] { return store.mark_open("nope"); });
  CHECK_FALSE(failed.ok());
  CHECK(t.db->unsynced());
  CHECK(t.db->sql().execAndGet("PRAGMA synchronous").getInt() == 2);
  CHECK(t.db->relaxed([&] { return t.db->sync(8); }).error().code == "wrong_state");
}

TEST_CASE("relaxed() inside a transaction leaves the level alone instead of failing") {
  TestDatabase t;
  SessionStore store(*t.db);
  REQUIRE(describe(begin_session(store, session("s1", "jti-1"))) == "ok");
  SQLite::Transaction outer(t.db->sql(), SQLite::TransactionBehavior::IMMEDIATE);
  CHECK(t.db->relaxed([&] { return t.db->sql().execAndGet("PRAGMA synchronous").getInt(); }) == 2);
  outer.commit();
  CHECK_FALSE(t.db->unsynced());
}

TEST_CASE("a relaxed commit survives the process that made it dying at once") {
  TestDatabase t;
  t.db.reset();
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    // The process that admits: begins, records the admission relaxed, and dies without
    // closing anything (no checkpoint, no sync), as under kill -9.
    auto opened = Database::open(t.file);
    if (!opened) _exit(2);
    SessionStore store(**opened);
    if (!begin_session(store, session("s1", "jti-1")).ok()) _exit(3);
    if (!(*opened)->relaxed([&] { return store.mark_open("s1"); }).ok()) _exit(4);
    _exit((*opened)->unsynced() ? 0 : 5);
  }
  int status = 0;
  REQUIRE(waitpid(child, &status, 0) == child);
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);
  t.reopen();
  CHECK((*SessionStore(*t.db).find("s1"))->state == SessionState::open);
}
