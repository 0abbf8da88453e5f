#include "db/card_settlement_store.hpp"

#include <utility>

#include <SQLiteCpp/SQLiteCpp.h>
#include <SQLiteCpp/VariadicBind.h>

#include "db/card_blocklist.hpp"
#include "db/sqlite_error.hpp"
#include "db/statement_cache.hpp"

namespace passgate::db {

namespace {

// Within the caller's transaction: the remainder's dead letter and its card listed; the dead
// letter's id.
std::int64_t leave_unpaid(Database& db, const UnpaidRemainder& remainder, std::int64_t now_ms) {
  const std::int64_t id = PaymentQueue::insert_dead_letter(db, remainder.op, remainder.reason, now_ms);
  (void)CardBlocklist::insert(db, remainder.fingerprint_hash, std::string(kUnpaidRemainder), remainder.op.session_id,
                              now_ms);
  return id;
}

Status check_remainder(const std::optional<UnpaidRemainder>& remainder) {
  if (remainder && remainder->fingerprint_hash.empty()) {
    return make_error("bad_entry", "the unpaid remainder of session " + remainder->op.session_id +
                                       " names no card to list");
  }
  return {};
}

}  // namespace

Result<std::vector<SettlementCandidate>> CardSettlementStore::candidates(int limit) {
  return guarded("find card sessions to settle", [&]() -> Result<std::vector<SettlementCandidate>> {
    return SettlementStore::find_candidates(db_, true, limit, std::nullopt);  // card sessions owe no claim
  });
}

Result<std::vector<std::int64_t>> CardSettlementStore::settle(const SettlementDecision& decision,
                                                              std::vector<NewPaymentOp> ops,
                                                              const std::optional<UnpaidRemainder>& remainder,
                                                              std::int64_t now_ms) {
  if (Status ok = check_remainder(remainder); !ok) return ok.error();
  return guarded("settle card session " + decision.session_id, [&]() -> Result<std::vector<std::int64_t>> {
    SQLite::Transaction transaction(db_.sql(), SQLite::TransactionBehavior::IMMEDIATE);
    auto ids = SettlementStore::insert_settlement(db_, decision, std::move(ops), now_ms);
    if (!ids) return make_error("already_settled", "session " + decision.session_id + " already has a settlement");
    if (remainder) ids->push_back(leave_unpaid(db_, *remainder, now_ms));
    transaction.commit();
    return std::move(*ids);
  });
}

Result<std::vector<std::string>> CardSettlementStore::to_follow_up(const std::string& op, int limit) {
  return guarded("find card " + op + "s to follow up", [&]() -> Result<std::vector<std::string>> {
    // A charge is followed up by replacing it; an increment by the capture it leads to; a
    // capture whose hold is gone by a charge of its amount. Only a charge the card's issuer
    // declined makes the session partially paid (and blocklists the card); one the gateway
    // refused for the gate's own fault (a 400, 401 or 403: a bad key, a bad request) stays an
    // ordinary dead letter for an operator, the card not blocklisted. A capture is followed up
    // only once its hold was read and found cancelled with nothing received (the drainer,
    // controller/settlement/hold_check.hpp), whatever its sends: no capture can happen then;
    // so is an increment whose answer was lost and whose hold was then found so. An increment
    // declined, or refused as the design means (recorded declined by the drainer), goes to the
    // next row; one refused for the gate's own fault stays a dead letter until an operator
    // writes it off.
    auto query = db_.statement(
        "SELECT t.session_id FROM settlements t JOIN payment_ops o ON o.session_id = t.session_id"
        " AND o.idempotency_key = t.session_id || ':' || ?1"
        " WHERE t.plan LIKE 'card:%' AND o.replaced_by IS NULL"
        " AND CASE ?1 WHEN 'capture' THEN o.state IN ('declined', 'dead') AND o.hold_canceled = 1"
        " WHEN 'increment' THEN o.state IN ('declined', 'succeeded', 'written_off')"
        " OR (o.state = 'dead' AND o.unverified = 0 AND o.hold_canceled = 1)"
        " ELSE o.state = 'declined' END"
        " AND NOT (?1 = 'increment' AND EXISTS (SELECT 1 FROM payment_ops f WHERE f.session_id = t.session_id"
        " AND f.op = 'capture'))"
        " ORDER BY t.planned_at_ms, t.rowid LIMIT ?2");
    SQLite::bind(*query, op, limit);
    std::vector<std::string> sessions;
    while (query->executeStep()) sessions.push_back(query->getColumn(0).getString());
    return sessions;
  });
}

Status CardSettlementStore::replace_failed(std::int64_t failed_id, const std::optional<NewPaymentOp>& op,
                                           const std::optional<UnpaidRemainder>& remainder, std::int64_t now_ms) {
  if (Status ok = check_remainder(remainder); !ok) return ok;
  if (op.has_value() == remainder.has_value()) {
    return make_error("bad_entry", "a failed operation is replaced by one operation or one remainder");
  }
  const std::string& session_id = op ? op->session_id : remainder->op.session_id;
  return guarded("follow up a failed operation of card session " + session_id, [&]() -> Status {
    SQLite::Transaction transaction(db_.sql(), SQLite::TransactionBehavior::IMMEDIATE);
    auto replaced = db_.statement("SELECT 1 FROM payment_ops WHERE id = ?1 AND replaced_by IS NULL");
    replaced->bind(1, failed_id);
    if (!replaced->executeStep()) {
      return make_error("already_followed", "the failed operation of session " + session_id +
                                                " is already followed up");
    }
    const std::int64_t id = op ? PaymentQueue::insert(db_, *op, now_ms) : leave_unpaid(db_, *remainder, now_ms);
    PaymentQueue::mark_replaced(db_, failed_id, id,
                                (op ? "what it did not collect is charged by operation "
                                    : "what it did not collect is operation ") + std::to_string(id));
    transaction.commit();
    return {};
  });
}

Result<std::vector<std::int64_t>> CardSettlementStore::increment_followed(
    std::int64_t increment_id, std::vector<NewPaymentOp> ops, const std::optional<UnpaidRemainder>& remainder,
    std::int64_t now_ms) {
  if (Status ok = check_remainder(remainder); !ok) return ok.error();
  const std::string session_id = ops.empty() ? std::string() : ops.front().session_id;
  return guarded("follow up the increment of card session " + session_id, [&]() -> Result<std::vector<std::int64_t>> {
    SQLite::Transaction transaction(db_.sql(), SQLite::TransactionBehavior::IMMEDIATE);
    auto captured = db_.statement(
        "SELECT 1 FROM payment_ops WHERE session_id = (SELECT session_id FROM payment_ops WHERE id = ?1)"
        " AND op = 'capture'");
    captured->bind(1, increment_id);
    if (captured->executeStep()) {
      return make_error("already_followed", "the increment of session " + session_id + " is already followed up");
    }
    std::vector<std::int64_t> ids;
    for (NewPaymentOp& op : ops) {
      if (!ids.empty() && !op.after_op_id) op.after_op_id = ids.back();
      ids.push_back(PaymentQueue::insert(db_, op, now_ms));
    }
    if (remainder) ids.push_back(leave_unpaid(db_, *remainder, now_ms));
    // A declined or refused increment is settled by the row after it: out of the dead-letter
    // list, never retried (the hold is captured instead), and no dead letter that keeps the
    // card's blocklist entry from being lifted once the session is paid.
    auto failed = db_.statement("SELECT 1 FROM payment_ops WHERE id = ?1 AND state IN ('declined', 'dead')");
    failed->bind(1, increment_id);
    if (failed->executeStep() && !ids.empty()) {
      PaymentQueue::mark_replaced(db_, increment_id, ids.front(),
                                  "settled by the next row: operation " + std::to_string(ids.front()));
    }
    transaction.commit();
    return ids;
  });
}

Result<std::vector<OpenCardHold>> CardSettlementStore::open_holds() {
  return guarded("find card holds still open", [&]() -> Result<std::vector<OpenCardHold>> {
    auto query = db_.statement(kOpenCardHolds);
    std::vector<OpenCardHold> holds;
    while (query->executeStep()) {
      holds.push_back(OpenCardHold{query->getColumn(0).getString(), query->getColumn(1).getInt64(),
                                   query->getColumn(2).getInt() != 0});
    }
    return holds;
  });
}

Result<std::int64_t> CardSettlementStore::partially_paid_in_force() {
  return guarded("count cards listed for an unpaid remainder", [&]() -> Result<std::int64_t> {
    auto query = db_.statement("SELECT COUNT(*) FROM card_blocklist WHERE lifted_at_ms = 0 AND reason = ?1");
    query->bind(1, std::string(kUnpaidRemainder));
    query->executeStep();
    return query->getColumn(0).getInt64();
  });
}

}  // namespace passgate::db
