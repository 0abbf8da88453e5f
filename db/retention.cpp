#include "db/retention.hpp"

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <SQLiteCpp/SQLiteCpp.h>
#include <SQLiteCpp/VariadicBind.h>

#include "db/sqlite_error.hpp"
#include "db/statement_cache.hpp"

namespace passgate::db {

namespace {

// Whether session `s` is final and old enough to go (db/retention.hpp says when), with ?1 the
// records cutoff and ?2 the audit cutoff. Every look-up goes through an index (migration 9
// adds the ones for used tokens and operations waiting on others). "Final" is an allow-list
// of states wherever it is decided: a state added later keeps its rows until it is listed.
constexpr std::string_view kFinal =
    "s.state IN ('open', 'open_offline', 'denied', 'cancelled') AND s.refused_at_ms = 0"
    " AND NOT EXISTS (SELECT 1 FROM used_tokens u WHERE u.session_id = s.session_id)"
    " AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.session_id = s.session_id)"
    " AND NOT EXISTS (SELECT 1 FROM quarantined_carts q WHERE q.session_id = s.session_id AND q.session_id <> ''"
    "   AND (q.state NOT IN ('charged', 'written_off') OR MAX(q.received_at_ms, q.settled_at_ms) >= ?2))"
    " AND NOT EXISTS (SELECT 1 FROM carts c WHERE c.session_id = s.session_id AND c.received_at_ms >= ?1)"
    " AND NOT EXISTS (SELECT 1 FROM payment_ops p WHERE p.session_id = s.session_id"
    "   AND (NOT (p.state IN ('succeeded', 'written_off')"
    "       OR (p.state IN ('declined', 'dead') AND p.alert = 0 AND p.unverified = 0))"
    "     OR MAX(p.created_at_ms, p.first_attempt_at_ms, p.finished_at_ms) >= ?1"
    "     OR EXISTS (SELECT 1 FROM payment_ops w WHERE w.after_op_id = p.id AND w.session_id <> s.session_id)"
    "     OR EXISTS (SELECT 1 FROM payment_ops w WHERE w.replaced_by = p.id AND w.session_id <> s.session_id)))"
    // A hold placed and neither captured nor voided (as PaymentQueue::begun_at_gateway counts it).
    " AND NOT EXISTS (SELECT 1 FROM payment_ops h WHERE h.session_id = s.session_id AND h.op = 'preauth'"
    "   AND (h.state = 'succeeded' OR (h.state = 'dead' AND h.intent_id <> ''))"
    "   AND NOT EXISTS (SELECT 1 FROM payment_ops f WHERE f.session_id = s.session_id"
    "     AND f.op IN ('capture', 'void') AND f.state IN ('succeeded', 'written_off')))"
    // A card hold (its attempt admitted the session) not yet captured or voided.
    " AND NOT EXISTS (SELECT 1 FROM card_attempts a WHERE a.session_id = s.session_id"
    "   AND NOT EXISTS (SELECT 1 FROM payment_ops f WHERE f.session_id = s.session_id"
    "     AND f.op IN ('capture', 'void') AND f.state IN ('succeeded', 'written_off')))"
    " AND CASE WHEN EXISTS (SELECT 1 FROM settlements t WHERE t.session_id = s.session_id)"
    "   THEN NOT EXISTS (SELECT 1 FROM settlements t WHERE t.session_id = s.session_id AND (t.planned_at_ms >= ?1"
    "     OR (t.plan = 'charge+void' AND NOT EXISTS (SELECT 1 FROM payment_ops f WHERE f.session_id = s.session_id"
    "       AND f.op IN ('void', 'capture')))))"
    "   ELSE s.state IN ('denied', 'cancelled')"
    "     AND NOT EXISTS (SELECT 1 FROM payment_ops p WHERE p.session_id = s.session_id)"
    "     AND NOT EXISTS (SELECT 1 FROM carts c WHERE c.session_id = s.session_id)"
    "   END";

// The next sessions admitted before ?1 after the cursor (?3, ?4), at most ?5, in the order a
// pass examines them.
constexpr std::string_view kAfterCursor =
    " FROM sessions s WHERE s.created_at_ms < ?1 AND s.created_at_ms >= ?3"
    " AND (s.created_at_ms > ?3 OR s.rowid > ?4) ORDER BY s.created_at_ms, s.rowid LIMIT ?5";

// Those sessions, each with whether it is final.
const std::string& examine_sql() {
  static const std::string sql =
      "SELECT s.rowid, s.created_at_ms, s.session_id, " + std::string(kFinal) + std::string(kAfterCursor);
  return sql;
}

// A session's rows, children first (the foreign keys are checked at the end of each statement,
// so operations waiting on each other go in one).
constexpr std::pair<const char*, std::int64_t DeletedRows::*> kSessionRows[] = {
    {"DELETE FROM payment_ops WHERE session_id = ?1", &DeletedRows::payment_ops},
    {"DELETE FROM carts WHERE session_id = ?1", &DeletedRows::carts},
    {"DELETE FROM settlements WHERE session_id = ?1", &DeletedRows::settlements},
    {"DELETE FROM quarantined_carts WHERE session_id = ?1 AND session_id <> ''", &DeletedRows::quarantined_carts},
    {"DELETE FROM card_attempts WHERE session_id = ?1 AND state = 'admitted'", &DeletedRows::card_attempts},
    {"DELETE FROM sessions WHERE session_id = ?1", &DeletedRows::sessions},
};

// Runs `sql` (a DELETE with ?1 a cutoff and ?2 a limit) and returns how many rows it deleted.
Result<int> delete_limited(Database& db, const char* what, const char* sql, std::int64_t before_ms, int limit) {
  return guarded(what, [&]() -> Result<int> {
    auto statement = db.statement(sql);
    SQLite::bind(*statement, before_ms, limit);
    return statement->exec();
  });
}

}  // namespace

DeletedRows& DeletedRows::operator+=(const DeletedRows& more) {
  sessions += more.sessions;
  payment_ops += more.payment_ops;
  carts += more.carts;
  settlements += more.settlements;
  quarantined_carts += more.quarantined_carts;
  audit_log += more.audit_log;
  card_attempts += more.card_attempts;
  card_blocklist += more.card_blocklist;
  return *this;
}

std::int64_t DeletedRows::total() const {
  return sessions + payment_ops + carts + settlements + quarantined_carts + audit_log + card_attempts + card_blocklist;
}

Result<SessionBatch> Retention::delete_sessions(const RetentionCutoffs& cut, const SessionCursor& after, int limit) {
  return guarded("delete final sessions", [&]() -> Result<SessionBatch> {
    SessionBatch batch;
    batch.next = after;
    SQLite::Transaction transaction(db_.sql(), SQLite::TransactionBehavior::IMMEDIATE);
    std::vector<std::string> final_sessions;
    int examined = 0;
    {
      auto examine = db_.statement(examine_sql());
      SQLite::bind(*examine, cut.records_ms, cut.audit_ms, after.created_at_ms, after.rowid, limit);
      while (examine->executeStep()) {
        ++examined;
        batch.next = SessionCursor{examine->getColumn(1).getInt64(), examine->getColumn(0).getInt64()};
        if (examine->getColumn(3).getInt() != 0) final_sessions.push_back(examine->getColumn(2).getString());
      }
    }
    for (const std::string& session_id : final_sessions) {
      for (const auto& [sql, count] : kSessionRows) {
        auto erase = db_.statement(sql);
        erase->bind(1, session_id);
        batch.deleted.*count += erase->exec();
      }
    }
    transaction.commit();
    batch.done = examined < limit;
    return batch;
  });
}

Result<std::optional<ExaminedSession>> Retention::next_session(const RetentionCutoffs& cut, const SessionCursor& after) {
  return guarded("read the next session retention examines", [&]() -> Result<std::optional<ExaminedSession>> {
    static const std::string sql = "SELECT s.rowid, s.created_at_ms, s.session_id" + std::string(kAfterCursor);
    auto next = db_.statement(sql);
    next->bind(1, cut.records_ms);
    next->bind(3, after.created_at_ms);
    next->bind(4, after.rowid);
    next->bind(5, 1);
    if (!next->executeStep()) return std::optional<ExaminedSession>();
    return std::optional<ExaminedSession>(ExaminedSession{
        SessionCursor{next->getColumn(1).getInt64(), next->getColumn(0).getInt64()}, next->getColumn(2).getString()});
  });
}

Result<DeletedRows> Retention::delete_card_records(const RetentionCutoffs& cut, int limit) {
  return guarded("delete voided card attempts and lifted blocklist entries", [&]() -> Result<DeletedRows> {
    SQLite::Transaction transaction(db_.sql(), SQLite::TransactionBehavior::IMMEDIATE);
    DeletedRows deleted;
    auto attempts = db_.statement(
        "DELETE FROM card_attempts WHERE rowid IN (SELECT rowid FROM card_attempts INDEXED BY card_attempts_voided"
        " WHERE state = 'voided' AND finished_at_ms < ?1 ORDER BY finished_at_ms LIMIT ?2)");
    SQLite::bind(*attempts, cut.records_ms, limit);
    deleted.card_attempts = attempts->exec();
    auto entries = db_.statement(
        "DELETE FROM card_blocklist WHERE rowid IN (SELECT rowid FROM card_blocklist INDEXED BY card_blocklist_lifted"
        " WHERE lifted_at_ms > 0 AND lifted_at_ms < ?1 ORDER BY lifted_at_ms LIMIT ?2)");
    SQLite::bind(*entries, cut.records_ms, limit);
    deleted.card_blocklist = entries->exec();
    transaction.commit();
    return deleted;
  });
}

Result<int> Retention::delete_resolved_carts(std::int64_t before_ms, int limit) {
  return delete_limited(db_, "delete resolved quarantined carts",
                        "DELETE FROM quarantined_carts WHERE id IN (SELECT id FROM quarantined_carts"
                        " WHERE session_id = '' AND state IN ('charged', 'written_off') AND MAX(received_at_ms, settled_at_ms) < ?1"
                        " ORDER BY id LIMIT ?2)",
                        before_ms, limit);
}

Result<int> Retention::delete_audit_entries(std::int64_t before_ms, int limit) {
  return delete_limited(db_, "delete old audit log entries",
                        "DELETE FROM audit_log WHERE id IN (SELECT a.id FROM audit_log a WHERE a.at_ms < ?1"
                        " AND NOT EXISTS (SELECT 1 FROM payment_ops p WHERE p.id = a.op_id)"
                        " AND NOT EXISTS (SELECT 1 FROM quarantined_carts q WHERE q.id = a.quarantined_cart_id)"
                        " AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.id = a.outbox_id)"
                        " ORDER BY a.id LIMIT ?2)",
                        before_ms, limit);
}

}  // namespace passgate::db
