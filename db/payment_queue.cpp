#include "db/payment_queue.hpp"

#include <array>
#include <limits>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

#include <SQLiteCpp/SQLiteCpp.h>
#include <SQLiteCpp/Savepoint.h>
#include <SQLiteCpp/VariadicBind.h>
#include <spdlog/spdlog.h>

#include "common/log_value.hpp"
#include "db/card_settlement_store.hpp"
#include "db/sqlite_error.hpp"
#include "db/statement_cache.hpp"

namespace passgate::db {

namespace {

// An operation chained after another may go once that one is final: a look-up of the one
// predecessor by its key (an IN over the final operations would list the whole history).
constexpr std::string_view kPredecessorDone =
    "(after_op_id IS NULL OR EXISTS (SELECT 1 FROM payment_ops a WHERE a.id = payment_ops.after_op_id"
    " AND a.state IN ('succeeded', 'declined', 'dead', 'written_off')))";

constexpr std::array<std::pair<PaymentOpState, std::string_view>, 6> kStateNames = {{
    {PaymentOpState::pending, "pending"},
    {PaymentOpState::in_flight, "in_flight"},
    {PaymentOpState::succeeded, "succeeded"},
    {PaymentOpState::declined, "declined"},
    {PaymentOpState::dead, "dead"},
    {PaymentOpState::written_off, "written_off"},
}};

constexpr std::string_view kColumns =
    "SELECT id, session_id, op, idempotency_key, amount_minor, currency, intent_id, after_op_id, state, alert,"
    " attempts, created_at_ms, first_attempt_at_ms, next_attempt_at_ms, finished_at_ms, last_error, unverified,"
    " replaced_by, maybe_executed, hold_canceled, op_key_sent FROM payment_ops ";

std::string select_ops(std::string_view rest) { return std::string(kColumns) + std::string(rest); }

PaymentOpRecord read_op(const SQLite::Statement& row) {
  PaymentOpRecord r;
  r.id = row.getColumn(0).getInt64();
  r.session_id = row.getColumn(1).getString();
  r.op = row.getColumn(2).getString();
  r.idempotency_key = row.getColumn(3).getString();
  r.amount_minor = row.getColumn(4).getInt64();
  r.currency = row.getColumn(5).getString();
  r.intent_id = row.getColumn(6).getString();
  if (!row.getColumn(7).isNull()) r.after_op_id = row.getColumn(7).getInt64();
  const std::string state = row.getColumn(8).getString();
  const auto parsed = payment_op_state_from_string(state);
  if (!parsed) throw std::runtime_error("payment operation " + std::to_string(r.id) + " has unknown state '" + state + "'");
  r.state = *parsed;
  r.alert = row.getColumn(9).getInt() != 0;
  r.attempts = row.getColumn(10).getInt();
  r.created_at_ms = row.getColumn(11).getInt64();
  r.first_attempt_at_ms = row.getColumn(12).getInt64();
  r.next_attempt_at_ms = row.getColumn(13).getInt64();
  r.finished_at_ms = row.getColumn(14).getInt64();
  r.last_error = row.getColumn(15).getString();
  r.unverified = row.getColumn(16).getInt() != 0;
  if (!row.getColumn(17).isNull()) r.replaced_by = row.getColumn(17).getInt64();
  r.maybe_executed = row.getColumn(18).getInt() != 0;
  r.hold_canceled = row.getColumn(19).getInt() != 0;
  r.op_key_sent = row.getColumn(20).getInt() != 0;
  return r;
}

std::vector<PaymentOpRecord> read_ops(SQLite::Statement& query) {
  std::vector<PaymentOpRecord> ops;
  while (query.executeStep()) ops.push_back(read_op(query));
  return ops;
}

// An UPDATE of operation ?1 that applies only in the states `from` lists; "wrong_state"
// naming the current state if nothing changed.
struct Move {
  std::string_view what;  // for messages: "mark in flight"
  std::string_view from;  // for messages: "pending"
  const char* sql;
};

template <class... Values>
Status move(Database& db, const Move& m, std::int64_t id, const Values&... values) {
  auto update = db.statement(m.sql);
  SQLite::bind(*update, id, values...);
  if (update->exec() > 0) return {};
  auto current = db.statement("SELECT state FROM payment_ops WHERE id = ?1");
  current->bind(1, id);
  const std::string why = current->executeStep() ? "it is " + current->getColumn(0).getString() + ", not " +
                                                       std::string(m.from)
                                                 : "no such operation";
  return make_error("wrong_state", "cannot " + std::string(m.what) + " payment operation " + std::to_string(id) +
                                       ": " + why);
}

std::string context(std::string_view what, std::int64_t id) {
  return std::string(what) + " payment operation " + std::to_string(id);
}

template <class... Values>
Status guarded_move(Database& db, const Move& m, std::int64_t id, const Values&... values) {
  return guarded(context(m.what, id), [&] { return move(db, m, id, values...); });
}

constexpr Move kInFlight{"mark in flight", "pending",
                         "UPDATE payment_ops SET state = 'in_flight', attempts = attempts + 1,"
                         " first_attempt_at_ms = CASE WHEN first_attempt_at_ms = 0 THEN ?2 ELSE first_attempt_at_ms END"
                         " WHERE id = ?1 AND state = 'pending'"};
constexpr Move kSucceeded{"mark succeeded", "in_flight",
                          "UPDATE payment_ops SET state = 'succeeded', intent_id = ?2, finished_at_ms = ?3,"
                          " last_error = '', maybe_executed = 1 WHERE id = ?1 AND state = 'in_flight'"};
constexpr Move kDeclined{"mark declined", "in_flight",
                         "UPDATE payment_ops SET state = 'declined', last_error = ?2, finished_at_ms = ?3,"
                         " maybe_executed = 1 WHERE id = ?1 AND state = 'in_flight'"};
// Refused after more than one send (an earlier one's outcome unknown), it may have moved
// money: a dead letter whatever the operation asked for, in the same write.
constexpr Move kDead{"mark dead", "in_flight",
                     "UPDATE payment_ops SET state = 'dead', last_error = ?2, finished_at_ms = ?3, maybe_executed = 1,"
                     " alert = CASE WHEN attempts > 1 THEN 1 ELSE alert END"
                     " WHERE id = ?1 AND state = 'in_flight'"};
// A preauth keeps the PaymentIntent id its unverified answer named (the planner voids that
// hold); a capture or void keeps the hold's own id whatever the answer said.
constexpr Move kUnverified{"mark unverified", "in_flight",
                           "UPDATE payment_ops SET state = 'dead', alert = 1, unverified = 1, last_error = ?2, finished_at_ms = ?3,"
                           " maybe_executed = 1,"
                           " intent_id = CASE WHEN op = 'preauth' AND ?4 <> '' THEN ?4 ELSE intent_id END"
                           " WHERE id = ?1 AND state = 'in_flight'"};
constexpr Move kMoreAttempts{"count the attempts of", "in_flight",
                             "UPDATE payment_ops SET attempts = attempts + ?2, maybe_executed = 1"
                             " WHERE id = ?1 AND state = 'in_flight'"};
// ?4: whether this dispatch may have run it (OutcomeWrite::maybe_executed); never cleared.
constexpr Move kRetry{"reschedule", "in_flight",
                      "UPDATE payment_ops SET state = 'pending', next_attempt_at_ms = ?2, last_error = ?3,"
                      " maybe_executed = max(maybe_executed, ?4) WHERE id = ?1 AND state = 'in_flight'"};
// An entry hold the gateway cannot have run, back to pending, whose entry was denied or
// cancelled unused while it was in flight: finished unsent, as the denial or cancel finishes
// one that was pending then (?2 the denial's reason, ?4 the cancel's).
constexpr const char* kFinishDeniedUnsent =
    "UPDATE payment_ops SET state = 'dead', alert = 0, finished_at_ms = ?3,"
    " last_error = (SELECT CASE s.state WHEN 'denied' THEN ?2 ELSE ?4 END FROM sessions s"
    " WHERE s.session_id = payment_ops.session_id)"
    " WHERE id = ?1 AND op = 'preauth' AND state = 'pending' AND maybe_executed = 0"
    " AND EXISTS (SELECT 1 FROM sessions s WHERE s.session_id = payment_ops.session_id"
    " AND s.state IN ('denied', 'cancelled'))";
// A preauth whose session is already settled is not sent again: the settlement planned
// around it (e.g. voided the hold its unverified answer named), and a hold placed now would
// never be captured or released. A replaced charge is not sent again either: its hold was
// captured and its remainder is an operation of its own (resending it would charge twice).
constexpr Move kOperatorRetry{"retry",
                              "declined or dead (and neither replaced nor a preauth of a session already settled)",
                              "UPDATE payment_ops SET state = 'pending', next_attempt_at_ms = ?2, finished_at_ms = 0,"
                              " unverified = 0, hold_canceled = 0 WHERE id = ?1 AND state IN ('declined', 'dead') AND replaced_by IS NULL"
                              " AND NOT (op = 'preauth' AND EXISTS"
                              " (SELECT 1 FROM settlements st WHERE st.session_id = payment_ops.session_id))"};
// A declined charge that an operator retries is a new attempt (PaymentQueue::retry): the row
// it is copied from, ?1, with its new key ?2, created and due at ?3. Attempts, times, errors and
// flags start afresh (op_key_sent: a new key, sent with its metadata[op_key] from the first send).
constexpr const char* kNewAttempt =
    "INSERT INTO payment_ops (session_id, op, idempotency_key, amount_minor, currency, intent_id, after_op_id,"
    " state, alert, created_at_ms, next_attempt_at_ms)"
    " SELECT session_id, op, ?2, amount_minor, currency, intent_id, after_op_id, 'pending', alert, ?3, ?3"
    " FROM payment_ops WHERE id = ?1 AND op = 'charge' AND state = 'declined' AND replaced_by IS NULL";
constexpr std::string_view kRetryMark = ":retry";

// The key of the operator's next attempt at the operation whose key is `key`:
// "<first key>:retry<n>", n one more than `key`'s own (none: 0). The key holds n.
std::string next_attempt_key(const std::string& key) {
  const auto at = key.rfind(kRetryMark);
  const std::string_view digits =
      at == std::string::npos ? std::string_view() : std::string_view(key).substr(at + kRetryMark.size());
  const bool numbered = !digits.empty() && digits.size() <= 9 &&
                        digits.find_first_not_of("0123456789") == std::string_view::npos;
  const int n = numbered ? std::stoi(std::string(digits)) : 0;
  return (numbered ? key.substr(0, at) : key) + std::string(kRetryMark) + std::to_string(n + 1);
}

constexpr Move kWriteOff{"write off", "declined or dead",
                         "UPDATE payment_ops SET state = 'written_off', finished_at_ms = ?2"
                         " WHERE id = ?1 AND state IN ('declined', 'dead')"};

}  // namespace


std::string_view to_string(PaymentOpState s) {
  for (const auto& [state, name] : kStateNames)
    if (state == s) return name;
  return "unknown";
}

std::optional<PaymentOpState> payment_op_state_from_string(std::string_view name) {
  for (const auto& [state, known] : kStateNames)
    if (known == name) return state;
  return std::nullopt;
}

bool is_final(PaymentOpState s) { return s != PaymentOpState::pending && s != PaymentOpState::in_flight; }

bool is_dead_letter(PaymentOpState s, bool alert) {
  return alert && (s == PaymentOpState::declined || s == PaymentOpState::dead);
}

std::int64_t QueueTotals::quarantined_total() const {
  std::int64_t n = 0;
  for (const auto& [reason, count] : quarantined_carts) n += count;
  return n;
}

std::int64_t PaymentQueue::insert(Database& db, const NewPaymentOp& op, std::int64_t now_ms) {
  auto insert = db.statement(
      "INSERT INTO payment_ops (session_id, op, idempotency_key, amount_minor, currency, intent_id, after_op_id,"
      " state, alert, created_at_ms, next_attempt_at_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'pending', ?8, ?9, ?9)");
  SQLite::bind(*insert, op.session_id, op.op, op.idempotency_key(), op.amount_minor, op.currency, op.intent_id);
  if (op.after_op_id) {
    insert->bind(7, *op.after_op_id);
  } else {
    insert->bind(7);
  }
  insert->bind(8, op.alert_on_failure ? 1 : 0);
  insert->bind(9, now_ms);
  insert->exec();
  return db.sql().getLastInsertRowid();
}

std::int64_t PaymentQueue::insert_dead_letter(Database& db, const NewPaymentOp& op, const std::string& reason,
                                              std::int64_t now_ms) {
  const std::int64_t id = insert(db, op, now_ms);
  auto dead = db.statement(
      "UPDATE payment_ops SET state = 'dead', alert = 1, last_error = ?2, finished_at_ms = ?3 WHERE id = ?1");
  SQLite::bind(*dead, id, reason, now_ms);
  dead->exec();
  return id;
}

int PaymentQueue::finish_unsent_preauth(Database& db, const std::string& session_id, const std::string& reason,
                                        std::int64_t now_ms) {
  // Under a savepoint of its own: a payment row that refuses the write (a corrupt row) must
  // not fail the denial around it (the session would stay opening and keep its shopper out);
  // the hold then stays queued, as one that was sent does, and the settlement voids it.
  try {
    SQLite::Savepoint savepoint(db.sql(), "finish_unsent_preauth");
    auto finish = db.statement(
        "UPDATE payment_ops SET state = 'dead', alert = 0, last_error = ?2, finished_at_ms = ?3"
        " WHERE session_id = ?1 AND op = 'preauth' AND state = 'pending' AND maybe_executed = 0");
    SQLite::bind(*finish, session_id, reason, now_ms);
    const int finished = finish->exec();
    savepoint.release();
    return finished;
  } catch (const SQLite::Exception& e) {
    spdlog::error("event=hold_not_finished session={} detail={}", session_id,
                  log_value(std::string("the unsent hold stays queued (the settlement voids it): ") + e.what()));
    return 0;
  }
}

void PaymentQueue::mark_replaced(Database& db, std::int64_t id, std::int64_t replaced_by, const std::string& note) {
  auto update = db.statement(
      "UPDATE payment_ops SET alert = 0, replaced_by = ?2, last_error = last_error || '; ' || ?3"
      " WHERE id = ?1 AND state IN ('declined', 'dead') AND replaced_by IS NULL");
  SQLite::bind(*update, id, replaced_by, note);
  if (update->exec() == 0)
    throw std::runtime_error("payment operation " + std::to_string(id) + " is not a failed operation to replace");
}

Result<std::int64_t> PaymentQueue::enqueue(const NewPaymentOp& op, std::int64_t now_ms) {
  const std::string key = op.idempotency_key();
  // Messages name the session and the operation, never the idempotency key (they reach logs).
  const std::string what = op.op + " of session " + op.session_id;
  return guarded("enqueue payment operation " + what, [&]() -> Result<std::int64_t> {
    SQLite::Transaction transaction(db_.sql(), SQLite::TransactionBehavior::IMMEDIATE);
    auto existing = db_.statement("SELECT id FROM payment_ops WHERE idempotency_key = ?1");
    existing->bind(1, key);
    if (existing->executeStep())
      return make_error("duplicate_key", "payment operation " + what + " already exists (id " +
                                             std::to_string(existing->getColumn(0).getInt64()) + ")");
    const std::int64_t id = insert(db_, op, now_ms);
    transaction.commit();
    return id;
  });
}

Result<std::optional<PaymentOpRecord>> PaymentQueue::find(std::int64_t id) {
  return guarded(context("read", id), [&]() -> Result<std::optional<PaymentOpRecord>> {
    static const std::string sql = select_ops("WHERE id = ?1");
    auto query = db_.statement(sql);
    query->bind(1, id);
    if (!query->executeStep()) return std::optional<PaymentOpRecord>();
    return std::optional<PaymentOpRecord>(read_op(*query));
  });
}

Result<std::vector<PaymentOpRecord>> PaymentQueue::for_session(const std::string& session_id) {
  return guarded("read payment operations of session " + session_id, [&]() -> Result<std::vector<PaymentOpRecord>> {
    static const std::string sql = select_ops("WHERE session_id = ?1 ORDER BY id");
    auto query = db_.statement(sql);
    query->bind(1, session_id);
    return read_ops(*query);
  });
}

Result<std::vector<PaymentOpRecord>> PaymentQueue::due(std::int64_t now_ms, int limit) {
  return guarded("read due payment operations", [&]() -> Result<std::vector<PaymentOpRecord>> {
    static const std::string sql = select_ops(
        "WHERE state = 'pending' AND next_attempt_at_ms <= ?1 AND " + std::string(kPredecessorDone) +
        " ORDER BY next_attempt_at_ms, id LIMIT ?2");
    auto query = db_.statement(sql);
    SQLite::bind(*query, now_ms, limit);
    return read_ops(*query);
  });
}

Result<std::optional<std::int64_t>> PaymentQueue::next_due_at(const std::vector<std::int64_t>& except) {
  return guarded("read the next due payment operation", [&]() -> Result<std::optional<std::int64_t>> {
    static const std::string sql =
        "SELECT MIN(next_attempt_at_ms) FROM payment_ops WHERE state = 'pending' AND " + std::string(kPredecessorDone);
    const auto first = [](SQLite::Statement& query) {
      if (!query.executeStep() || query.getColumn(0).isNull()) return std::optional<std::int64_t>();
      return std::optional<std::int64_t>(query.getColumn(0).getInt64());
    };
    if (except.empty()) return first(*db_.statement(sql));
    // Rare (the drainer's held-back rows, a few at most): a statement of its own, not cached.
    std::string ids;
    for (const std::int64_t id : except) ids += (ids.empty() ? "" : ", ") + std::to_string(id);
    SQLite::Statement query(db_.sql(), sql + " AND id NOT IN (" + ids + ")");
    return first(query);
  });
}

Result<std::vector<PaymentOpRecord>> PaymentQueue::in_states(const std::vector<PaymentOpState>& states) {
  return guarded("read payment operations", [&]() -> Result<std::vector<PaymentOpRecord>> {
    std::string list;
    for (const PaymentOpState s : states) list += std::string(list.empty() ? "'" : ", '") + std::string(to_string(s)) + "'";
    if (list.empty()) return std::vector<PaymentOpRecord>();
    SQLite::Statement query(db_.sql(), select_ops("WHERE state IN (" + list + ") ORDER BY id"));
    return read_ops(query);
  });
}

Status PaymentQueue::mark_in_flight(std::int64_t id, std::int64_t now_ms) {
  return guarded_move(db_, kInFlight, id, now_ms);
}

Result<std::vector<Status>> PaymentQueue::commit_batch(const DrainBatch& batch) {
  const std::string what = "record " + std::to_string(batch.outcomes.size()) + " payment outcomes and claim " +
                           std::to_string(batch.claims.size()) + " operations";
  return guarded(what, [&]() -> Result<std::vector<Status>> {
    SQLite::Transaction transaction(db_.sql(), SQLite::TransactionBehavior::IMMEDIATE);
    std::vector<Status> statuses;
    statuses.reserve(batch.outcomes.size());
    for (const OutcomeWrite& w : batch.outcomes) {
      Status moved;
      // First, as add_attempts does: a dead letter's alert looks at every attempt.
      if (w.more_attempts > 0) moved = move(db_, kMoreAttempts, w.id, w.more_attempts);
      if (moved) {
        switch (w.to) {
          case OutcomeWrite::To::succeeded: moved = move(db_, kSucceeded, w.id, w.intent_id, w.finished_at_ms); break;
          case OutcomeWrite::To::declined: moved = move(db_, kDeclined, w.id, w.text, w.finished_at_ms); break;
          case OutcomeWrite::To::dead: moved = move(db_, kDead, w.id, w.text, w.finished_at_ms); break;
          case OutcomeWrite::To::unverified:
            moved = move(db_, kUnverified, w.id, w.text, w.finished_at_ms, w.intent_id);
            break;
          case OutcomeWrite::To::retry:
            moved = move(db_, kRetry, w.id, w.next_attempt_at_ms, w.text, w.maybe_executed ? 1 : 0);
            if (moved && !w.maybe_executed) finish_if_denied(w.id, w.finished_at_ms);
            break;
        }
      }
      if (moved && w.hold_canceled && (w.to == OutcomeWrite::To::declined || w.to == OutcomeWrite::To::dead)) {
        auto mark = db_.statement(
            "UPDATE payment_ops SET hold_canceled = 1 WHERE id = ?1 AND op IN ('capture', 'increment')");
        mark->bind(1, w.id);
        mark->exec();
      }
      statuses.push_back(std::move(moved));
    }
    for (const std::int64_t id : batch.claims) {
      if (Status claimed = move(db_, kInFlight, id, batch.claimed_at_ms); !claimed) return claimed.error();  // rolled back
    }
    transaction.commit();
    return statuses;
  });
}

Status PaymentQueue::mark_in_flight(const std::vector<std::int64_t>& ids, std::int64_t now_ms) {
  auto committed = commit_batch(DrainBatch{{}, ids, now_ms});
  if (!committed) return committed.error();
  return {};
}

Result<std::vector<Status>> PaymentQueue::record_outcomes(const std::vector<OutcomeWrite>& writes) {
  return commit_batch(DrainBatch{writes, {}, 0});
}

Status PaymentQueue::mark_succeeded(std::int64_t id, const std::string& intent_id, std::int64_t now_ms) {
  return guarded_move(db_, kSucceeded, id, intent_id, now_ms);
}

Status PaymentQueue::mark_declined(std::int64_t id, const std::string& reason, std::int64_t now_ms) {
  return guarded_move(db_, kDeclined, id, reason, now_ms);
}

Status PaymentQueue::mark_dead(std::int64_t id, const std::string& reason, std::int64_t now_ms) {
  return guarded_move(db_, kDead, id, reason, now_ms);
}

Status PaymentQueue::mark_unverified(std::int64_t id, const std::string& reason, const std::string& answered_intent_id,
                                     std::int64_t now_ms) {
  return guarded_move(db_, kUnverified, id, reason, now_ms, answered_intent_id);
}

Status PaymentQueue::add_attempts(std::int64_t id, int count) { return guarded_move(db_, kMoreAttempts, id, count); }

Status PaymentQueue::mark_retry(std::int64_t id, std::int64_t next_attempt_at_ms, const std::string& error) {
  return guarded_move(db_, kRetry, id, next_attempt_at_ms, error, 1);
}

void PaymentQueue::finish_if_denied(std::int64_t id, std::int64_t now_ms) {
  auto finish = db_.statement(kFinishDeniedUnsent);
  SQLite::bind(*finish, id, std::string(kHoldNotSentDenied), now_ms, std::string(kHoldNotSentCancelled));
  if (finish->exec() > 0)
    spdlog::info("event=hold_finished_unsent op_id={} detail=\"answered 429 after its entry was denied or cancelled: "
                 "never sent again\"",
                 id);
}

Result<int> PaymentQueue::resume_in_flight(std::int64_t now_ms) {
  return guarded("resume payment operations left in flight", [&]() -> Result<int> {
    auto update = db_.statement(
        "UPDATE payment_ops SET state = 'pending', next_attempt_at_ms = ?1, maybe_executed = 1,"
        " last_error = 'outcome unknown: in flight when the gate stopped' WHERE state = 'in_flight'");
    update->bind(1, now_ms);
    return update->exec();
  });
}

Result<std::int64_t> PaymentQueue::begun_at_gateway() {
  return guarded("count payment operations begun at the gateway", [&]() -> Result<std::int64_t> {
    auto query = db_.statement(
        "SELECT COUNT(*) FROM payment_ops p WHERE"
        " (p.state IN ('pending', 'in_flight')"
        " AND (p.first_attempt_at_ms <> 0 OR p.op IN ('capture', 'void', 'increment')))"
        " OR (p.state IN ('declined', 'dead') AND p.alert = 1 AND p.replaced_by IS NULL AND p.first_attempt_at_ms <> 0)"
        " OR (p.op = 'preauth' AND (p.state = 'succeeded' OR (p.state = 'dead' AND p.intent_id <> ''))"
        " AND NOT EXISTS (SELECT 1 FROM payment_ops f WHERE f.session_id = p.session_id AND f.op IN ('capture', 'void')"
        " AND f.state IN ('succeeded', 'written_off')))");
    query->executeStep();
    return query->getColumn(0).getInt64();
  });
}

Result<std::int64_t> PaymentQueue::latest_time_ms() {
  return guarded("read the payment queue's latest time", [&]() -> Result<std::int64_t> {
    auto query = db_.statement(
        "SELECT MAX(max(created_at_ms, first_attempt_at_ms, finished_at_ms)) FROM payment_ops");  // its index
    if (!query->executeStep() || query->getColumn(0).isNull()) return std::int64_t{0};
    return query->getColumn(0).getInt64();
  });
}

Result<std::int64_t> PaymentQueue::last_id() {
  return guarded("read the payment queue's last id", [&]() -> Result<std::int64_t> {
    auto query = db_.statement("SELECT MAX(id) FROM payment_ops");
    if (!query->executeStep() || query->getColumn(0).isNull()) return std::int64_t{0};
    return query->getColumn(0).getInt64();
  });
}

Result<int> PaymentQueue::bring_forward(std::int64_t latest_ms) {
  return guarded("bring payment retries forward", [&]() -> Result<int> {
    auto update = db_.statement(
        "UPDATE payment_ops SET next_attempt_at_ms = ?1 WHERE state = 'pending' AND next_attempt_at_ms > ?1");
    update->bind(1, latest_ms);
    return update->exec();
  });
}

Status PaymentQueue::set_alert(std::int64_t id, bool alert) {
  return guarded(context("flag", id), [&]() -> Status {
    auto update = db_.statement("UPDATE payment_ops SET alert = ?2 WHERE id = ?1");
    SQLite::bind(*update, id, alert ? 1 : 0);
    if (update->exec() == 0) return make_error("not_found", "no payment operation " + std::to_string(id));
    return {};
  });
}

Status PaymentQueue::retry(std::int64_t id, const AuditActor& actor, std::int64_t now_ms) {
  return guarded(context("retry", id), [&]() -> Status {
    SQLite::Transaction transaction(db_.sql(), SQLite::TransactionBehavior::IMMEDIATE);
    // Money of a session whose token another gate array admitted too (a charge, or the
    // capture of its hold) is not sent again behind the token owner's back, unless an operator
    // confirmed charging its cart (a charged double_use row; docs/operations.md, Quarantined
    // carts).
    auto double_used = db_.statement(
        "SELECT 1 FROM payment_ops o JOIN sessions s ON s.session_id = o.session_id"
        " WHERE o.id = ?1 AND o.op IN ('charge', 'capture') AND s.double_use = 1"
        " AND NOT EXISTS (SELECT 1 FROM quarantined_carts q WHERE q.session_id = s.session_id"
        " AND q.session_id <> '' AND q.reason = 'double_use' AND q.state = 'charged')");
    double_used->bind(1, id);
    if (double_used->executeStep()) {
      return make_error("double_use",
                        "cannot retry payment operation " + std::to_string(id) +
                            ": it collects from a session whose entry token another gate array of the store admitted "
                            "too (a double use, log event=store_double_use), so it may charge the token's owner for a "
                            "stranger; write it off, and if loss prevention finds the owner shopped here, collect "
                            "outside the gate");
    }
    std::string detail;
    auto declined = db_.statement(
        "SELECT idempotency_key FROM payment_ops WHERE id = ?1 AND op = 'charge' AND state = 'declined'"
        " AND replaced_by IS NULL");
    declined->bind(1, id);
    if (declined->executeStep()) {
      // A charge settlement has still to follow up (by the capture or void of its session's hold,
      // or by its unpaid remainder) waits for that: a new attempt now would take its place
      // where the follow-up never looks, leaving a hold open or the rest uncollected.
      auto due = db_.statement(
          "SELECT 1 FROM payment_ops o JOIN settlements t ON t.session_id = o.session_id WHERE o.id = ?1"
          " AND ((t.plan = 'charge+void' AND o.idempotency_key = t.session_id || ':charge'"
          " AND NOT EXISTS (SELECT 1 FROM payment_ops f WHERE f.session_id = t.session_id"
          " AND f.op IN ('void', 'capture')))"
          " OR (t.plan LIKE 'card:%' AND o.idempotency_key IN (t.session_id || ':charge',"
          " t.session_id || ':charge:capture')))");
      due->bind(1, id);
      if (due->executeStep()) {
        return make_error("wrong_state",
                          "cannot retry payment operation " + std::to_string(id) +
                              ": it was declined moments ago and settlement has not yet followed it up (it settles "
                              "the session's hold, and what stays unpaid becomes a remainder to retry); look again "
                              "in a minute (passgatectl queue)");
      }
      // Inserted before the old one is replaced, so that no trigger sees the session settled
      // in between (the card blocklist).
      auto insert = db_.statement(kNewAttempt);
      SQLite::bind(*insert, id, next_attempt_key(declined->getColumn(0).getString()), now_ms);
      insert->exec();
      const std::int64_t attempt = db_.sql().getLastInsertRowid();
      detail = "a new attempt under a new key: operation " + std::to_string(attempt);
      mark_replaced(db_, id, attempt, "retried by an operator as " + detail);
      // What waited for the charge waits for the new attempt, as for a charge pending again.
      auto chained =
          db_.statement("UPDATE payment_ops SET after_op_id = ?2 WHERE after_op_id = ?1 AND state = 'pending'");
      SQLite::bind(*chained, id, attempt);
      chained->exec();
    } else if (Status moved = move(db_, kOperatorRetry, id, now_ms); !moved) {
      return moved;
    }
    audit(db_, now_ms, actor, "retry", AuditSubject::payment_op(id), detail);
    transaction.commit();
    return {};
  });
}

Status PaymentQueue::write_off(std::int64_t id, const std::string& reason, const AuditActor& actor,
                               std::int64_t now_ms) {
  if (reason.empty()) return make_error("bad_reason", "a write-off needs a reason (--reason TEXT)");
  return guarded(context("write off", id), [&]() -> Status {
    SQLite::Transaction transaction(db_.sql(), SQLite::TransactionBehavior::IMMEDIATE);
    if (Status moved = move(db_, kWriteOff, id, now_ms); !moved) return moved;
    audit(db_, now_ms, actor, "write_off", AuditSubject::payment_op(id), reason);
    transaction.commit();
    return {};
  });
}

std::int64_t QueueTotals::card_holds_near_lapse(std::int64_t now_s, std::int64_t warning_s) const {
  std::int64_t n = 0;
  for (const std::int64_t deadline : card_hold_deadlines_s)
    if (deadline - now_s <= warning_s && now_s - deadline <= kHoldWatchAfterLapseS) ++n;
  return n;
}

Result<QueueTotals> PaymentQueue::totals() {
  return guarded("sum the payment queue", [&]() -> Result<QueueTotals> {
    QueueTotals t;
    // Summed in two halves, each row's high 32 bits (< 2^31) and low 32 bits (< 2^32), so
    // SQLite's SUM cannot overflow below 2^31 rows; MinorSum joins them without wrapping.
    auto sums = db_.statement(
        "SELECT currency, COUNT(*), SUM(amount_minor >> 32), SUM(amount_minor & 4294967295), MIN(created_at_ms)"
        " FROM payment_ops WHERE state IN ('pending', 'in_flight') GROUP BY currency");
    while (sums->executeStep()) {
      t.outstanding_ops += sums->getColumn(1).getInt64();
      MinorSum& owed = t.outstanding_minor[sums->getColumn(0).getString()];
      const std::int64_t high = sums->getColumn(2).getInt64();
      std::int64_t shifted = 0;
      if (__builtin_mul_overflow(high, std::int64_t{1} << 32, &shifted)) {
        owed.add(std::numeric_limits<std::int64_t>::max());
        owed.capped = true;
      } else {
        owed.add(shifted);
      }
      owed.add(sums->getColumn(3).getInt64());
      const std::int64_t oldest = sums->getColumn(4).getInt64();
      if (!t.oldest_created_at_ms || oldest < *t.oldest_created_at_ms) t.oldest_created_at_ms = oldest;
    }
    auto first = db_.statement(
        "SELECT id, created_at_ms FROM payment_ops WHERE state IN ('pending', 'in_flight') ORDER BY id LIMIT 1");
    if (first->executeStep()) t.first_outstanding.emplace(first->getColumn(0).getInt64(), first->getColumn(1).getInt64());
    auto dead = db_.statement("SELECT COUNT(*) FROM payment_ops WHERE state IN ('declined', 'dead') AND alert = 1");
    dead->executeStep();
    t.dead_letters = dead->getColumn(0).getInt64();
    auto quarantined =
        db_.statement("SELECT reason, COUNT(*) FROM quarantined_carts WHERE state = 'open' GROUP BY reason");
    while (quarantined->executeStep())
      t.quarantined_carts[quarantined->getColumn(0).getString()] = quarantined->getColumn(1).getInt64();
    auto refused = db_.statement("SELECT COUNT(*) FROM sessions WHERE refused_at_ms > 0");
    refused->executeStep();
    t.refused_sessions = refused->getColumn(0).getInt64();
    auto unpaid = db_.statement(
        "SELECT COUNT(*) FROM card_blocklist WHERE lifted_at_ms = 0 AND reason = 'unpaid_remainder'");
    unpaid->executeStep();
    t.cards_partially_paid = unpaid->getColumn(0).getInt64();
    auto deadlines = db_.statement(kOpenCardHolds);
    while (deadlines->executeStep()) t.card_hold_deadlines_s.push_back(deadlines->getColumn(1).getInt64());
    return t;
  });
}

}  // namespace passgate::db
