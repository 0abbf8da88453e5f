// SessionStore::open_session_of, the anti-passback query: which of a shopper's sessions
// still count as open at this store, and that it is answered from an index (migration 3).
#include <catch2/catch.hpp>

#include <SQLiteCpp/Database.h>

#include "db/migrations.hpp"
#include "db/session_store.hpp"
#include "db/settlement_store.hpp"
#include "tests/db/db_test_support.hpp"

using namespace passgate::db;
using namespace passgate::db::test;

namespace {

struct OpenSessionFixture {
  TestDatabase t;
  SessionStore store{*t.db};

  // Begins session `id` of `shopper`, created at kNow + `at`.
  void begin(const std::string& id, const std::string& shopper, std::int64_t at = 0) {
    SessionRecord s = session(id, "jti-" + id, kNow + at);
    s.shopper = shopper;
    REQUIRE(describe(begin_session(store, s)) == "ok");
  }
  std::optional<std::string> open_of(const std::string& shopper, const std::string& except = "") {
    auto open = store.open_session_of(shopper, except);
    REQUIRE(describe(open) == "ok");
    return *open;
  }
};

const OutboxMessage kMessage{.kind = "k", .target = "/t", .body = "{}", .session_id = ""};

}  // namespace

TEST_CASE_METHOD(OpenSessionFixture, "a session being admitted or admitted is open, a denied or cancelled one is not") {
  CHECK_FALSE(open_of("shp_a").has_value());
  begin("s1", "shp_a");
  CHECK(open_of("shp_a") == "s1");  // opening
  REQUIRE(store.mark_open("s1").ok());
  CHECK(open_of("shp_a") == "s1");
  REQUIRE(store.mark_cancelled("s1", kMessage, kNow).ok());
  CHECK_FALSE(open_of("shp_a").has_value());

  begin("s2", "shp_a", 1);
  REQUIRE(store.mark_open_offline("s2", kMessage, kNow).ok());
  CHECK(open_of("shp_a") == "s2");
  CHECK_FALSE(open_of("shp_b").has_value());

  begin("s3", "shp_b", 2);
  REQUIRE(store.mark_denied("s3", "shopper_blocked", false, kNow).ok());
  CHECK_FALSE(open_of("shp_b").has_value());
}

TEST_CASE_METHOD(OpenSessionFixture, "the session being checked does not count, nor one begun after it") {
  begin("s1", "shp_a");
  REQUIRE(store.mark_open("s1").ok());
  begin("s2", "shp_a", 5);
  begin("s3", "shp_a", 5);
  CHECK(open_of("shp_a", "s3") == "s2");  // the newest begun before it
  CHECK(open_of("shp_a", "s2") == "s1");
  CHECK_FALSE(open_of("shp_a", "s1").has_value());  // s2 and s3 came after it
  CHECK(open_of("shp_a") == "s3");                  // no session named: every one counts
}

TEST_CASE_METHOD(OpenSessionFixture, "of two sessions of a shopper begun in one transaction, the first keeps the second out") {
  SessionRecord a = session("a", "jti-a");
  SessionRecord b = session("b", "jti-b");
  a.shopper = b.shopper = "shp_a";
  const auto begun = store.begin_all({{a, open_request_of(a)}, {b, open_request_of(b)}});
  REQUIRE(describe(begun) == "ok");
  CHECK_FALSE(open_of("shp_a", "a").has_value());
  CHECK(open_of("shp_a", "b") == "a");
}

TEST_CASE_METHOD(OpenSessionFixture, "a session with a final cart or a settlement has ended") {
  SettlementStore settlement(*t.db);
  begin("s1", "shp_a");
  REQUIRE(store.mark_open("s1").ok());
  REQUIRE(settlement.record_carts("carts", {FinalCart{"s1", "USD", 399, "2026-11-21T18:21:40.002Z"}}, {}, "c1", kNow).ok());
  CHECK_FALSE(open_of("shp_a").has_value());

  begin("s2", "shp_b");
  REQUIRE(store.mark_open("s2").ok());
  const SettlementDecision none{
      .session_id = "s2", .from_cart = false, .total_minor = 0, .hold_minor = 0, .plan = "none"};
  REQUIRE(settlement.settle(none, {}, kNow).ok());
  CHECK_FALSE(open_of("shp_b").has_value());
}

TEST_CASE_METHOD(OpenSessionFixture, "the lookup uses the sessions_by_shopper index") {
  SQLite::Statement plan(t.db->sql(),
                         "EXPLAIN QUERY PLAN SELECT session_id FROM sessions WHERE shopper = 'x'"
                         " AND state IN ('opening', 'open', 'open_offline')");
  std::string details;
  while (plan.executeStep()) details += plan.getColumn(3).getString() + "\n";
  CHECK_THAT(details, Catch::Matchers::Contains("sessions_by_shopper"));
}

TEST_CASE("a database from before migration 3 gains the index and keeps its sessions") {
  passgate::test::TempDir dir;
  const auto file = dir / "gate.db";
  {
    SQLite::Database raw(file.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    for (std::size_t v = 0; v < 2; ++v) raw.exec(std::string(schema_migrations()[v]));
    raw.exec("PRAGMA user_version = 2");
    raw.exec(
        "INSERT INTO sessions (session_id, token_id, token_expires_at, lane, shopper, group_size, admitted_at,"
        " created_at_ms, offline, state, open_request) VALUES ('old', 'jti-old', 0, 1, 'shp_a', 1, '', 0, 0, 'open',"
        " '{}')");
  }
  auto db = open_or_fail(file);
  CHECK(db->schema_version() == latest_schema_version());
  CHECK(db->sql().execAndGet("SELECT COUNT(*) FROM sqlite_master WHERE name = 'sessions_by_shopper'").getInt() == 1);
  SessionStore store(*db);
  const auto open = store.open_session_of("shp_a", "");
  REQUIRE(describe(open) == "ok");
  CHECK(*open == "old");
}
