// Migration 10: a session's row says whether it has ended (a cart, a quarantined cart or a
// settlement) and whether it is settled, set by triggers whatever code records those rows;
// the questions the gate asks every few seconds go through the partial indexes on them, so
// they cost the same on a year of history as on a day.
#include <catch2/catch.hpp>

#include <sqlite3.h>
#include <SQLiteCpp/SQLiteCpp.h>

#include "db/cart_quarantine.hpp"
#include "db/migrations.hpp"
#include "db/payments_summary.hpp"
#include "db/session_view.hpp"
#include "db/settlement_store.hpp"
#include "tests/db/db_test_support.hpp"
#include "tests/support/temp_dir.hpp"

using namespace passgate::db;
using namespace passgate::db::test;

namespace {

// "ended,settled,hold_requested" of a session, or "none".
std::string flags_of(SQLite::Database& sql, const std::string& session_id) {
  SQLite::Statement query(sql, "SELECT ended, settled, hold_requested FROM sessions WHERE session_id = ?1");
  query.bind(1, session_id);
  if (!query.executeStep()) return "none";
  return std::to_string(query.getColumn(0).getInt()) + "," + std::to_string(query.getColumn(1).getInt()) + "," +
         std::to_string(query.getColumn(2).getInt());
}

void insert_preauth(SQLite::Database& sql, const std::string& session_id) {
  sql.exec("INSERT INTO payment_ops (session_id, op, idempotency_key, amount_minor, currency, state, created_at_ms,"
           " next_attempt_at_ms) VALUES ('" + session_id + "', 'preauth', '" + session_id +
           ":preauth', 5000, 'USD', 'succeeded', 1, 1)");
}

constexpr const char* kInsertSession =
    "INSERT INTO sessions (session_id, token_id, token_expires_at, lane, shopper, group_size, admitted_at,"
    " created_at_ms, offline, state, open_request, pay_key_id, pay_sealed)"
    " VALUES (?1, 'jti-' || ?1, 1000, 1, 'shp-' || ?1, 1, '', ?2, 0, 'open', '', 'k1', x'0102')";

// SQLite virtual-machine steps `run` takes on `db`: what a query costs, independent of the
// machine's speed (a walk over N rows takes at least N steps).
template <typename Run>
std::int64_t vm_steps(Database& db, Run run) {
  std::int64_t steps = 0;
  sqlite3_progress_handler(
      db.sql().getHandle(), 1,
      [](void* counter) {
        ++*static_cast<std::int64_t*>(counter);
        return 0;
      },
      &steps);
  run();
  sqlite3_progress_handler(db.sql().getHandle(), 0, nullptr, nullptr);
  return steps;
}

// `n` sessions of long ago, in one transaction (the history a year of a busy store leaves):
// every tenth denied at the gate (no cart, no settlement, ever), the others each with its
// cart, its settlement and its succeeded charge.
void add_history(Database& db, int n, int first) {
  SQLite::Transaction transaction(db.sql());
  for (int i = first; i < first + n; ++i) {
    const std::string id = "old-" + std::to_string(i);
    SQLite::Statement session(db.sql(), kInsertSession);
    session.bind(1, id);
    session.bind(2, std::int64_t{1'000'000} + i);
    session.exec();
    if (i % 10 == 0) {
      db.sql().exec("UPDATE sessions SET state = 'denied', denial_reason = 'already_inside' WHERE session_id = '" +
                    id + "'");
      continue;
    }
    db.sql().exec("INSERT INTO carts (session_id, currency, total_minor, finalized_at, received_at_ms) VALUES ('" +
                  id + "', 'USD', 500, '', 1)");
    db.sql().exec("INSERT INTO settlements (session_id, basis, total_minor, hold_minor, plan, planned_at_ms) VALUES ('" +
                  id + "', 'cart', 500, 0, 'charge', 1)");
    db.sql().exec("INSERT INTO payment_ops (session_id, op, idempotency_key, amount_minor, currency, state,"
                  " created_at_ms, next_attempt_at_ms) VALUES ('" + id + "', 'charge', '" + id +
                  ":charge', 500, 'USD', 'succeeded', 1, 1)");
  }
  transaction.commit();
}

}  // namespace

TEST_CASE("migration 10 marks each session ended by its cart, quarantined cart or settlement, and settled by its settlement") {
  passgate::test::TempDir dir;
  const auto file = dir / "gate.db";
  {
    SQLite::Database raw(file.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    for (std::size_t v = 0; v < 9; ++v) raw.exec(std::string(schema_migrations()[v]));
    raw.exec("PRAGMA user_version = 9");
    for (const char* id : {"inside", "carted", "quarantined", "settled", "settled-no-cart", "held"}) {
      SQLite::Statement session(raw, kInsertSession);
      session.bind(1, id);
      session.bind(2, std::int64_t{1});
      session.exec();
    }
    raw.exec("INSERT INTO carts (session_id, currency, total_minor, finalized_at, received_at_ms) VALUES"
             " ('carted', 'USD', 1, '', 1), ('settled', 'USD', 1, '', 1)");
    raw.exec("INSERT INTO quarantined_carts (session_id, reason, detail, raw, finalized_at, received_at_ms) VALUES"
             " ('quarantined', 'currency', '', '{}', '', 1), ('', 'unreadable', '', 'garbage', '', 1)");
    raw.exec("INSERT INTO settlements (session_id, basis, total_minor, hold_minor, plan, planned_at_ms) VALUES"
             " ('settled', 'cart', 1, 0, 'charge', 1), ('settled-no-cart', 'no_cart', 0, 0, 'none', 1)");
    insert_preauth(raw, "held");
  }
  const auto db = open_or_fail(file);
  CHECK(db->schema_version() == latest_schema_version());
  SQLite::Database& sql = db->sql();
  CHECK(flags_of(sql, "inside") == "0,0,0");
  CHECK(flags_of(sql, "carted") == "1,0,0");
  CHECK(flags_of(sql, "quarantined") == "1,0,0");
  CHECK(flags_of(sql, "settled") == "1,1,0");
  CHECK(flags_of(sql, "settled-no-cart") == "1,1,0");
  CHECK(flags_of(sql, "held") == "0,0,1");
  const auto counts = count_sessions(*db);
  REQUIRE(describe(counts) == "ok");
  CHECK(counts->open == 2);
  // Migration 13 counted what was there.
  CHECK(counts->total == 6);
  CHECK(counts->by_state.at(SessionState::open) == 6);
  const auto summary = read_payments_summary(*db);
  REQUIRE(describe(summary) == "ok");
  CHECK(summary->settlements_decided == 2);
}

TEST_CASE("the status totals follow every insert, state change and delete of sessions and settlements") {
  TestDatabase t;
  SessionStore sessions{*t.db};
  add_history(*t.db, 50, 0);
  for (const char* id : {"s1", "s2", "s3"})
    REQUIRE(describe(begin_session(sessions, session(id, std::string("jti-") + id))) == "ok");
  REQUIRE(describe(sessions.mark_open("s1")) == "ok");
  REQUIRE(describe(sessions.mark_denied("s2", "shopper_blocked", false, 1)) == "ok");
  // Retention's way out, and a row rewritten without a state change.
  t.db->sql().exec("DELETE FROM settlements WHERE session_id IN ('old-1', 'old-2')");
  t.db->sql().exec("DELETE FROM sessions WHERE session_id IN ('old-10', 'old-20')");
  t.db->sql().exec("UPDATE sessions SET state = state, lane = 2 WHERE session_id = 's1'");
  const auto counts = count_sessions(*t.db);
  REQUIRE(describe(counts) == "ok");
  std::map<SessionState, std::int64_t> expected;
  std::int64_t total = 0;
  SQLite::Statement by_state(t.db->sql(), "SELECT state, COUNT(*) FROM sessions GROUP BY state");
  while (by_state.executeStep()) {
    expected[*session_state_from_string(by_state.getColumn(0).getString())] = by_state.getColumn(1).getInt64();
    total += by_state.getColumn(1).getInt64();
  }
  for (const auto& [state, n] : counts->by_state) {
    INFO(to_string(state));
    CHECK(n == (expected.contains(state) ? expected.at(state) : 0));
  }
  CHECK(counts->total == total);
  CHECK(total == 51);
  const auto summary = read_payments_summary(*t.db);
  REQUIRE(describe(summary) == "ok");
  CHECK(summary->settlements_decided == t.db->sql().execAndGet("SELECT COUNT(*) FROM settlements").getInt64());
}

TEST_CASE("a session is marked ended and settled in the transaction that records its cart, quarantine or settlement") {
  TestDatabase t;
  SessionStore sessions{*t.db};
  SettlementStore settlements{*t.db};
  for (const char* id : {"s1", "s2", "s3", "s4", "s5"})
    REQUIRE(describe(begin_session(sessions, session(id, std::string("jti-") + id))) == "ok");
  SQLite::Database& sql = t.db->sql();
  CHECK(flags_of(sql, "s1") == "0,0,0");
  insert_preauth(sql, "s5");
  CHECK(flags_of(sql, "s5") == "0,0,1");

  REQUIRE(describe(settlements.record_carts("carts", {FinalCart{"s1", "USD", 700, "2026-11-21T18:21:40.002Z"}}, {},
                                            "c1", kNow)) == "ok");
  CHECK(flags_of(sql, "s1") == "1,0,0");

  CHECK(CartQuarantine::insert(*t.db, QuarantinedCart{"s2", QuarantineReason::currency, "EUR", "{}", ""}, kNow));
  CHECK(CartQuarantine::insert(*t.db, QuarantinedCart{"", QuarantineReason::unreadable, "garbage", "x", ""}, kNow));
  CHECK(flags_of(sql, "s2") == "1,0,0");

  REQUIRE(describe(settlements.settle(SettlementDecision{"s3", false, 0, 0, "none"}, {}, kNow)) == "ok");
  CHECK(flags_of(sql, "s3") == "1,1,0");

  // A settlement rolled back marks nothing.
  {
    SQLite::Transaction transaction(sql);
    sql.exec("INSERT INTO settlements (session_id, basis, total_minor, hold_minor, plan, planned_at_ms)"
             " VALUES ('s4', 'no_cart', 0, 0, 'none', 1)");
    CHECK(flags_of(sql, "s4") == "1,1,0");
  }
  CHECK(flags_of(sql, "s4") == "0,0,0");

  const auto view = read_session_view(*t.db, false, 10);
  REQUIRE(describe(view) == "ok");
  REQUIRE(view->rows.size() == 2);
  CHECK(view->rows[0].session_id == "s5");
  CHECK(view->rows[1].session_id == "s4");
  const auto all = read_session_view(*t.db, true, 10);
  REQUIRE(describe(all) == "ok");
  CHECK(all->rows.size() == 5);
}

TEST_CASE("what the gate asks every few seconds costs the same after 2,000 sessions of history") {
  TestDatabase t;
  SessionStore sessions{*t.db};
  SettlementStore settlements{*t.db};
  add_history(*t.db, 20, 0);
  REQUIRE(describe(begin_session(sessions, session("inside", "jti-inside"))) == "ok");

  const auto ask = [&] {
    std::int64_t total = 0;
    total += vm_steps(*t.db, [&] { REQUIRE(describe(sessions.sealed_references_in_use()) == "ok"); });
    total += vm_steps(*t.db, [&] { REQUIRE(describe(read_session_view(*t.db, false, 50)) == "ok"); });
    total += vm_steps(*t.db, [&] { REQUIRE(describe(settlements.candidates(50)) == "ok"); });
    total += vm_steps(*t.db, [&] { REQUIRE(describe(sessions.open_session_of("shp_8f2c", "")) == "ok"); });
    // passgatectl status's totals
    total += vm_steps(*t.db, [&] { REQUIRE(describe(count_sessions(*t.db)) == "ok"); });
    total += vm_steps(*t.db, [&] { REQUIRE(describe(read_payments_summary(*t.db)) == "ok"); });
    return total;
  };
  const std::int64_t before = ask();
  add_history(*t.db, 2'000, 20);
  const std::int64_t after = ask();
  INFO("VM steps with 20 sessions of history: " << before << ", with 2,020: " << after);
  CHECK(after < before + 100);  // a walk over the history would take at least 2,000 more
}
