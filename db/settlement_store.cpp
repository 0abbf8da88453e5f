#include "db/settlement_store.hpp"

#include <limits>
#include <utility>

#include <nlohmann/json.hpp>

#include <SQLiteCpp/SQLiteCpp.h>
#include <SQLiteCpp/VariadicBind.h>

#include "db/sqlite_error.hpp"
#include "db/statement_cache.hpp"

namespace passgate::db {

namespace {

FinalCart read_cart(const SQLite::Statement& row, int first) {
  return FinalCart{row.getColumn(first).getString(), row.getColumn(first + 1).getString(),
                   row.getColumn(first + 2).getInt64(), row.getColumn(first + 3).getString()};
}

SettlementRecord read_settlement(const SQLite::Statement& row) {
  SettlementRecord r;
  r.decision.session_id = row.getColumn(0).getString();
  r.decision.from_cart = row.getColumn(1).getString() == "cart";
  r.decision.total_minor = row.getColumn(2).getInt64();
  r.decision.hold_minor = row.getColumn(3).getInt64();
  r.decision.plan = row.getColumn(4).getString();
  r.planned_at_ms = row.getColumn(5).getInt64();
  return r;
}

// A cart as JSON, for the quarantine's raw record when the feed kept no raw text.
std::string describe_cart(const FinalCart& cart) {
  return nlohmann::json{{"session_id", cart.session_id},
                        {"currency", cart.currency},
                        {"total_minor", cart.total_minor},
                        {"finalized_at", cart.finalized_at}}
      .dump();
}

// Whether the hold of the session named by `session` is not known yet: its preauth is pending
// or in flight, or dead where a hold may stand unnamed (an unverified answer without a
// PaymentIntent id, or a refusal after an earlier send whose outcome was unknown; not one
// finished unsent, which the gateway cannot have run).
std::string hold_unresolved(std::string_view session) {
  return "EXISTS (SELECT 1 FROM payment_ops p WHERE p.session_id = " + std::string(session) +
         " AND p.op = 'preauth' AND (p.state IN ('pending', 'in_flight') OR (p.state = 'dead' AND p.intent_id = ''"
         " AND p.maybe_executed = 1 AND (p.attempts > 1 OR p.unverified = 1))))";
}

// Whether the session named by `session` is a card session: its card attempt was admitted.
// db/card_settlement_store.hpp settles those, never the app path.
std::string card_session_sql(std::string_view session) {
  return "EXISTS (SELECT 1 FROM card_attempts a WHERE a.state = 'admitted' AND a.session_id = " +
         std::string(session) + ")";
}

constexpr const char* kSelectSettlements =
    "SELECT session_id, basis, total_minor, hold_minor, plan, planned_at_ms FROM settlements ";

}  // namespace

Result<std::optional<std::string>> SettlementStore::cursor(const std::string& feed) {
  return guarded("read the cursor of feed " + feed, [&]() -> Result<std::optional<std::string>> {
    auto query = db_.statement("SELECT cursor FROM feed_cursors WHERE feed = ?1");
    query->bind(1, feed);
    if (!query->executeStep()) return std::optional<std::string>();
    return std::optional<std::string>(query->getColumn(0).getString());
  });
}

Result<CartBatchOutcome> SettlementStore::record_carts(const std::string& feed, const std::vector<FinalCart>& carts,
                                                       const std::vector<QuarantinedCart>& quarantined,
                                                       const std::string& next_cursor, std::int64_t now_ms) {
  return guarded("record " + std::to_string(carts.size() + quarantined.size()) + " final carts",
                 [&]() -> Result<CartBatchOutcome> {
    CartBatchOutcome outcome;
    SQLite::Transaction transaction(db_.sql(), SQLite::TransactionBehavior::IMMEDIATE);
    const auto known = [&](const std::string& session_id) {
      auto query = db_.statement("SELECT 1 FROM sessions WHERE session_id = ?1");
      query->bind(1, session_id);
      if (query->executeStep()) return true;
      outcome.unknown_sessions.push_back(session_id);
      return false;
    };
    // Why the session's cart must not be charged as it came, if it must not.
    const auto not_to_charge =
        [&](const std::string& session_id) -> std::optional<std::pair<QuarantineReason, std::string>> {
      auto query = db_.statement(
          "SELECT state, denial_reason, refused_at_ms, double_use FROM sessions WHERE session_id = ?1");
      query->bind(1, session_id);
      if (!query->executeStep()) return std::nullopt;
      const std::string state = query->getColumn(0).getString();
      const auto not_admitted = [](std::string why) { return std::pair{QuarantineReason::not_admitted, std::move(why)}; };
      if (state == "denied") return not_admitted("the gate denied this session (" + query->getColumn(1).getString() + ")");
      if (state == "cancelled") return not_admitted("the gate cancelled this session: nobody passed");
      if (query->getColumn(2).getInt64() > 0)
        return not_admitted("the tracking engine refused this session after the gate admitted it offline");
      if (query->getColumn(3).getInt() != 0) return std::pair{QuarantineReason::double_use, std::string(kDoubleUseDetail)};
      return std::nullopt;
    };
    const auto has_cart = [&](const std::string& session_id) {
      auto query = db_.statement("SELECT 1 FROM carts WHERE session_id = ?1");
      query->bind(1, session_id);
      return query->executeStep();
    };
    std::vector<QuarantinedCart> to_quarantine = quarantined;
    for (const FinalCart& cart : carts) {
      if (!known(cart.session_id)) continue;
      if (CartQuarantine::holds_session(db_, cart.session_id)) {
        ++outcome.repeated;
        continue;
      }
      if (auto why = not_to_charge(cart.session_id)) {
        to_quarantine.push_back(QuarantinedCart{cart.session_id, why->first,
                                                why->second + "; its cart of " + std::to_string(cart.total_minor) + " " +
                                                    cart.currency + " (minor units) is not charged",
                                                bounded_raw(describe_cart(cart)),
                                                cart.finalized_at});
        continue;
      }
      auto insert = db_.statement(
          "INSERT INTO carts (session_id, currency, total_minor, finalized_at, received_at_ms)"
          " VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (session_id) DO NOTHING");
      SQLite::bind(*insert, cart.session_id, cart.currency, cart.total_minor, cart.finalized_at, now_ms);
      if (insert->exec() > 0) {
        ++outcome.recorded;
      } else {
        ++outcome.repeated;
      }
    }
    const auto double_used = [&](const std::string& session_id) {
      auto query = db_.statement("SELECT 1 FROM sessions WHERE session_id = ?1 AND double_use = 1");
      query->bind(1, session_id);
      return query->executeStep();
    };
    for (QuarantinedCart& cart : to_quarantine) {
      const bool named = !cart.session_id.empty();
      if (named && !known(cart.session_id)) continue;
      // A double use's cart quarantined by the feed for another reason says it is a double use
      // (CartQuarantine::charge charges it only so).
      if (named && cart.reason != QuarantineReason::double_use && double_used(cart.session_id)) {
        cart.detail = CartQuarantine::double_use_detail(cart.reason, cart.detail);
        cart.reason = QuarantineReason::double_use;
      }
      if ((named && has_cart(cart.session_id)) || !CartQuarantine::insert(db_, cart, now_ms)) {
        ++outcome.repeated;
      } else {
        outcome.quarantined.push_back(cart);
      }
    }
    auto save = db_.statement(
        "INSERT INTO feed_cursors (feed, cursor, updated_at_ms) VALUES (?1, ?2, ?3)"
        " ON CONFLICT (feed) DO UPDATE SET cursor = excluded.cursor, updated_at_ms = excluded.updated_at_ms");
    SQLite::bind(*save, feed, next_cursor, now_ms);
    save->exec();
    transaction.commit();
    return outcome;
  });
}

Result<std::optional<FinalCart>> SettlementStore::cart(const std::string& session_id) {
  return guarded("read the cart of session " + session_id, [&]() -> Result<std::optional<FinalCart>> {
    auto query = db_.statement("SELECT session_id, currency, total_minor, finalized_at FROM carts WHERE session_id = ?1");
    query->bind(1, session_id);
    if (!query->executeStep()) return std::optional<FinalCart>();
    return std::optional<FinalCart>(read_cart(*query, 0));
  });
}

Result<std::vector<SettlementCandidate>> SettlementStore::candidates(int limit, std::optional<std::int64_t> now_s) {
  return guarded("find sessions to settle",
                 [&]() -> Result<std::vector<SettlementCandidate>> { return find_candidates(db_, false, limit, now_s); });
}

std::vector<SettlementCandidate> SettlementStore::find_candidates(Database& db, bool card_sessions, int limit,
                                                                  std::optional<std::int64_t> now_s) {
  std::vector<SettlementCandidate> found;
  const std::string kind = std::string(card_sessions ? " AND " : " AND NOT ");
  // A session whose hold is still unresolved, or whose token's store claim is still owed,
  // waits (it is not returned, so it never fills a batch that newer sessions wait behind).
  // Both searches walk only sessions not settled, through the partial indexes of migration
  // 10, never the whole history (CROSS JOIN keeps the sessions the outer loop).
  auto with_cart = db.statement(
      "SELECT c.session_id, c.currency, c.total_minor, c.finalized_at"
      " FROM sessions s INDEXED BY sessions_unsettled CROSS JOIN carts c"
      " WHERE s.settled = 0 AND s.state IN ('opening', 'open', 'open_offline') AND c.session_id = s.session_id"
      " AND s.refused_at_ms = 0" + kind + card_session_sql("c.session_id") +
      // An unverified admission's cart waits for its token's claim (a double use found then
      // holds it), or for the claim's drop as unchecked a day after the token, kClaimWaitMaxS
      // after the token at most.
      " AND NOT EXISTS (SELECT 1 FROM store_claims_pending p WHERE p.session_id = s.session_id"
      " AND p.kind = 'token' AND p.action = 'claim' AND p.until_s >= ?2)"
      // A double use's cart is charged only after an operator confirmed charging it (a charged
      // double_use row); every path that holds such a cart moves it to the quarantine, and this
      // keeps any it missed (or an older version left) from being planned.
      " AND (s.double_use = 0 OR EXISTS (SELECT 1 FROM quarantined_carts q WHERE q.session_id = s.session_id"
      " AND q.session_id <> '' AND q.reason = 'double_use' AND q.state = 'charged'))" +
      " AND NOT " + hold_unresolved("c.session_id") +
      " ORDER BY c.received_at_ms, c.rowid LIMIT ?1");
  with_cart->bind(1, limit);
  with_cart->bind(2, now_s ? *now_s - kClaimWaitMaxS : std::numeric_limits<std::int64_t>::min());
  while (with_cart->executeStep()) {
    FinalCart cart = read_cart(*with_cart, 0);
    found.push_back(SettlementCandidate{cart.session_id, std::move(cart)});
  }
  // Denied, cancelled and refused sessions are settled without a cart at once (their hold
  // voided), whatever cart came or comes: such a cart is never charged (it is quarantined
  // as not_admitted, or, recorded before that rule, left alone). (A card session counts as
  // one with a hold requested: migration 16.)
  auto without_cart = db.statement(
      "SELECT s.session_id FROM sessions s WHERE s.rowid IN ("
      "SELECT h.rowid FROM sessions h INDEXED BY sessions_holds_unsettled WHERE h.settled = 0 AND h.hold_requested = 1"
      " AND (h.state IN ('cancelled', 'denied') OR h.refused_at_ms > 0)"
      " UNION SELECT w.rowid FROM quarantined_carts q CROSS JOIN sessions w ON w.session_id = q.session_id"
      " WHERE q.state = 'written_off' AND q.session_id <> '' AND w.settled = 0"
      " AND NOT EXISTS (SELECT 1 FROM carts c WHERE c.session_id = w.session_id))" +
      kind + card_session_sql("s.session_id") +
      " AND NOT " + hold_unresolved("s.session_id") +
      " ORDER BY s.created_at_ms, s.rowid LIMIT ?1");
  without_cart->bind(1, limit);
  while (without_cart->executeStep())
    found.push_back(SettlementCandidate{without_cart->getColumn(0).getString(), std::nullopt});
  return found;
}

Result<std::vector<std::int64_t>> SettlementStore::settle(const SettlementDecision& decision,
                                                          std::vector<NewPaymentOp> ops, std::int64_t now_ms) {
  return guarded("settle session " + decision.session_id, [&]() -> Result<std::vector<std::int64_t>> {
    SQLite::Transaction transaction(db_.sql(), SQLite::TransactionBehavior::IMMEDIATE);
    auto ids = insert_settlement(db_, decision, std::move(ops), now_ms);
    if (!ids) return make_error("already_settled", "session " + decision.session_id + " already has a settlement");
    transaction.commit();
    return std::move(*ids);
  });
}

std::optional<std::vector<std::int64_t>> SettlementStore::insert_settlement(Database& db,
                                                                            const SettlementDecision& decision,
                                                                            std::vector<NewPaymentOp> ops,
                                                                            std::int64_t now_ms) {
  auto insert = db.statement(
      "INSERT INTO settlements (session_id, basis, total_minor, hold_minor, plan, planned_at_ms)"
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (session_id) DO NOTHING");
  SQLite::bind(*insert, decision.session_id, std::string(decision.from_cart ? "cart" : "no_cart"),
               decision.total_minor, decision.hold_minor, decision.plan, now_ms);
  if (insert->exec() == 0) return std::nullopt;
  std::vector<std::int64_t> ids;
  for (NewPaymentOp& op : ops) {
    if (!ids.empty() && !op.after_op_id) op.after_op_id = ids.back();
    ids.push_back(PaymentQueue::insert(db, op, now_ms));
  }
  return ids;
}

Result<std::optional<SettlementRecord>> SettlementStore::settlement(const std::string& session_id) {
  return guarded("read the settlement of session " + session_id, [&]() -> Result<std::optional<SettlementRecord>> {
    static const std::string sql = std::string(kSelectSettlements).append("WHERE session_id = ?1");
    auto query = db_.statement(sql);
    query->bind(1, session_id);
    if (!query->executeStep()) return std::optional<SettlementRecord>();
    return std::optional<SettlementRecord>(read_settlement(*query));
  });
}

Result<std::vector<std::string>> SettlementStore::charges_to_follow_up(int limit) {
  return guarded("find charges to follow up", [&]() -> Result<std::vector<std::string>> {
    auto query = db_.statement(
        "SELECT t.session_id FROM settlements t JOIN payment_ops c ON c.session_id = t.session_id"
        " AND c.idempotency_key = t.session_id || ':charge'"
        " WHERE t.plan = 'charge+void' AND c.replaced_by IS NULL"
        " AND (c.state IN ('succeeded', 'declined', 'written_off')"
        " OR (c.state = 'dead' AND c.unverified = 0 AND c.attempts <= 1))"
        " AND NOT EXISTS (SELECT 1 FROM payment_ops f WHERE f.session_id = t.session_id"
        " AND f.op IN ('void', 'capture'))"
        " ORDER BY t.planned_at_ms, t.rowid LIMIT ?1");
    query->bind(1, limit);
    std::vector<std::string> sessions;
    while (query->executeStep()) sessions.push_back(query->getColumn(0).getString());
    return sessions;
  });
}

Result<std::vector<std::int64_t>> SettlementStore::follow_up_charge(const std::string& session_id,
                                                                     std::int64_t charge_id,
                                                                     const std::vector<NewPaymentOp>& ops,
                                                                     const std::optional<NewPaymentOp>& remainder,
                                                                     const std::string& remainder_reason,
                                                                     std::int64_t now_ms) {
  return guarded("follow up the charge of session " + session_id, [&]() -> Result<std::vector<std::int64_t>> {
    SQLite::Transaction transaction(db_.sql(), SQLite::TransactionBehavior::IMMEDIATE);
    auto followed = db_.statement(
        "SELECT 1 FROM payment_ops WHERE session_id = ?1 AND op IN ('void', 'capture')");
    followed->bind(1, session_id);
    if (followed->executeStep())
      return make_error("already_followed", "the charge of session " + session_id + " is already followed up");
    std::vector<std::int64_t> ids;
    for (const NewPaymentOp& op : ops) ids.push_back(PaymentQueue::insert(db_, op, now_ms));
    if (remainder) {
      const std::int64_t id = PaymentQueue::insert_dead_letter(db_, *remainder, remainder_reason, now_ms);
      PaymentQueue::mark_replaced(db_, charge_id, id,
                                  "the hold was captured instead; what it did not cover is operation " +
                                      std::to_string(id));
      ids.push_back(id);
    }
    transaction.commit();
    return ids;
  });
}

}  // namespace passgate::db
