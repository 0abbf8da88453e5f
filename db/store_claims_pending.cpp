#include "db/store_claims_pending.hpp"

#include <utility>

#include <SQLiteCpp/SQLiteCpp.h>
#include <SQLiteCpp/VariadicBind.h>

#include "db/cart_quarantine.hpp"
#include "db/sqlite_error.hpp"
#include "db/statement_cache.hpp"

namespace passgate::db {

namespace {

constexpr std::int64_t kDoubleUseKeptMs = 30LL * 24 * 3600 * 1000;

const char* action_name(StoreClaimAction action) { return action == StoreClaimAction::claim ? "claim" : "release"; }

}  // namespace

Status StoreClaimsPending::set_coordinated(bool on, std::int64_t now_ms) {
  return guarded("record whether the gate coordinates with its store", [&]() -> Status {
    auto set = db_.statement(
        "INSERT INTO gate_status (name, value, updated_at_ms) VALUES ('store_coordination', ?1, ?2) ON CONFLICT (name)"
        " DO UPDATE SET value = excluded.value, updated_at_ms = excluded.updated_at_ms");
    SQLite::bind(*set, on ? "1" : "0", now_ms);
    set->exec();
    return {};
  });
}

Result<std::string> StoreClaimsPending::instance_id() {
  return guarded("read the database's instance id", [&]() -> Result<std::string> {
    auto query = db_.statement("SELECT value FROM gate_status WHERE name = 'store_instance'");
    if (!query->executeStep()) return make_error("no_instance", "the database has no instance id (migration 24)");
    return query->getColumn(0).getString();
  });
}

Result<SessionFate> StoreClaimsPending::session_fate(const std::string& session_id) {
  return guarded("read a session's state", [&]() -> Result<SessionFate> {
    auto query = db_.statement("SELECT state, ended FROM sessions WHERE session_id = ?1");
    query->bind(1, session_id);
    if (!query->executeStep()) return SessionFate::unknown;
    const auto state = query->getColumn(0).getString();
    const bool ended = query->getColumn(1).getInt() != 0 || state == "denied" || state == "cancelled";
    return ended ? SessionFate::ended : SessionFate::live;
  });
}

Result<std::vector<PendingStoreClaim>> StoreClaimsPending::next(std::size_t limit) {
  return guarded("read the store claims owed", [&]() -> Result<std::vector<PendingStoreClaim>> {
    auto query = db_.statement(
        "SELECT id, session_id, kind, claim_id, action, until_s, attempts FROM store_claims_pending"
        " ORDER BY attempts >= ?2, id LIMIT ?1");
    SQLite::bind(*query, static_cast<std::int64_t>(limit), kStuckAttempts);
    std::vector<PendingStoreClaim> rows;
    while (query->executeStep()) {
      rows.push_back({query->getColumn(0).getInt64(), query->getColumn(1).getString(), query->getColumn(2).getString(),
                      query->getColumn(3).getString(),
                      query->getColumn(4).getString() == "claim" ? StoreClaimAction::claim : StoreClaimAction::release,
                      query->getColumn(5).getInt64(), query->getColumn(6).getInt()});
    }
    return rows;
  });
}

namespace {

void remove_row(Database& db, const PendingStoreClaim& row) {
  auto remove = db.statement("DELETE FROM store_claims_pending WHERE id = ?1 AND action = ?2");
  SQLite::bind(*remove, row.id, action_name(row.action));
  remove->exec();
}

}  // namespace

Status StoreClaimsPending::done(const PendingStoreClaim& row) {
  return guarded("finish a store claim owed", [&]() -> Status {
    remove_row(db_, row);
    return {};
  });
}

Status StoreClaimsPending::failed(const PendingStoreClaim& row, const std::string& why) {
  return guarded("count a store claim's attempt", [&]() -> Status {
    auto update = db_.statement(
        "UPDATE store_claims_pending SET attempts = attempts + 1, last_error = substr(?2, 1, 200) WHERE id = ?1");
    SQLite::bind(*update, row.id, why);
    update->exec();
    return {};
  });
}

namespace {

const char* cart_name(DoubleUseCart cart) {
  switch (cart) {
    case DoubleUseCart::none: return "";
    case DoubleUseCart::awaited: return "awaited";
    case DoubleUseCart::quarantined: return "quarantined";
    case DoubleUseCart::settled: return "settled";
  }
  return "";
}

// Within the caller's transaction: marks the session, and holds its cart if it can still be
// held: an unsettled cart in `carts` (also one an operator charged after correction) is moved
// to the quarantine, into the session's row if it has one; a row of another reason is
// relabelled double_use (its old reason kept in the detail).
DoubleUseCart hold_charge(Database& db, const std::string& session_id, std::int64_t now_ms) {
  auto mark = db.statement("UPDATE sessions SET double_use = 1 WHERE session_id = ?1");
  mark->bind(1, session_id);
  mark->exec();
  auto query = db.statement(
      "SELECT s.settled, EXISTS (SELECT 1 FROM quarantined_carts q WHERE q.session_id = s.session_id),"
      " EXISTS (SELECT 1 FROM carts c WHERE c.session_id = s.session_id) FROM sessions s WHERE s.session_id = ?1");
  query->bind(1, session_id);
  if (!query->executeStep()) return DoubleUseCart::awaited;
  if (query->getColumn(0).getInt() != 0) return DoubleUseCart::settled;
  const bool quarantined = query->getColumn(1).getInt() != 0;
  if (query->getColumn(2).getInt() == 0) {
    if (!quarantined) return DoubleUseCart::awaited;
    CartQuarantine::relabel_double_use(db, session_id);
    return DoubleUseCart::quarantined;
  }
  // A row an operator charged after correction (the corrected cart is the one in `carts`) is
  // reopened: the gate undoes the operator's act, so it says so in the audit log too.
  auto charged_row = db.statement(
      "SELECT id, settled_by, settled_at_ms FROM quarantined_carts WHERE session_id = ?1 AND session_id <> ''"
      " AND state = 'charged'");
  charged_row->bind(1, session_id);
  if (charged_row->executeStep()) {
    audit(db, now_ms, AuditActor{"passgated"}, "reopen_cart",
          AuditSubject::quarantined_cart(charged_row->getColumn(0).getInt64()),
          "quarantined cart " + std::to_string(charged_row->getColumn(0).getInt64()) + " of session " + session_id +
              ": reopened as double_use, its charge after correction (by " + charged_row->getColumn(1).getString() +
              " at " + std::to_string(charged_row->getColumn(2).getInt64()) +
              " ms) not carried out: the session's entry token was found admitted at another gate array too");
  }
  // The cart as the quarantine records it (?2 is the detail's start, ?3 the time). A row
  // reopened keeps the cart as the tracking engine sent it (raw) and when it came.
  constexpr const char* kHeld =
      " SELECT session_id, 'double_use', ?2 || '; its cart of ' || total_minor || ' ' || currency ||"
      " ' (minor units) is not charged',"
      " json_object('session_id', session_id, 'currency', currency, 'total_minor', total_minor,"
      " 'finalized_at', finalized_at), finalized_at, ?3 FROM carts WHERE session_id = ?1";
  auto quarantine = db.statement(
      std::string("INSERT INTO quarantined_carts (session_id, reason, detail, raw, finalized_at, received_at_ms)") +
      kHeld +
      " ON CONFLICT (session_id) WHERE session_id <> '' DO UPDATE SET reason = excluded.reason,"
      " detail = excluded.detail || '; quarantined first as ' || quarantined_carts.reason || ' (' ||"
      " quarantined_carts.state || CASE quarantined_carts.settled_by WHEN '' THEN '' ELSE ' by ' ||"
      " quarantined_carts.settled_by END || '): ' || quarantined_carts.detail,"
      " state = 'open', settled_at_ms = 0, settled_by = ''");
  SQLite::bind(*quarantine, session_id, std::string(kDoubleUseDetail), now_ms);
  quarantine->exec();
  auto remove = db.statement("DELETE FROM carts WHERE session_id = ?1");
  remove->bind(1, session_id);
  remove->exec();
  return DoubleUseCart::quarantined;
}

}  // namespace

Result<DoubleUseCart> StoreClaimsPending::double_use(const PendingStoreClaim& row, const std::string& other,
                                                     std::int64_t now_ms) {
  return guarded("record a double use", [&]() -> Result<DoubleUseCart> {
    SQLite::Transaction transaction(db_.sql(), SQLite::TransactionBehavior::IMMEDIATE);
    auto forget = db_.statement("DELETE FROM store_double_uses WHERE found_at_ms < ?1");
    forget->bind(1, now_ms - kDoubleUseKeptMs);
    forget->exec();
    const DoubleUseCart cart = row.kind == "token" ? hold_charge(db_, row.session_id, now_ms) : DoubleUseCart::none;
    auto insert = db_.statement(
        "INSERT INTO store_double_uses (kind, claim_id, session_id, other, found_at_ms, cart)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    SQLite::bind(*insert, row.kind, row.claim_id, row.session_id, other, now_ms, cart_name(cart));
    insert->exec();
    remove_row(db_, row);
    transaction.commit();
    return cart;
  });
}

Result<StoreClaimsSummary> StoreClaimsPending::summary(std::int64_t since_ms) {
  return guarded("count the store claims owed", [&]() -> Result<StoreClaimsSummary> {
    StoreClaimsSummary s;
    auto owed = db_.statement("SELECT action, COUNT(*) FROM store_claims_pending GROUP BY action");
    while (owed->executeStep()) {
      (owed->getColumn(0).getString() == "claim" ? s.claims : s.releases) = owed->getColumn(1).getInt64();
    }
    auto found = db_.statement("SELECT COUNT(*) FROM store_double_uses WHERE found_at_ms >= ?1");
    found->bind(1, since_ms);
    found->executeStep();
    s.double_uses = found->getColumn(0).getInt64();
    return s;
  });
}

void StoreClaimsPending::owe_claims_within(Database& db, const std::string& session_id, StoreUnclaimed unclaimed) {
  if (!unclaimed.any()) return;
  // Only a session the store may know of (migration 26): never a card-tap session's.
  auto claimed = db.statement("SELECT 1 FROM sessions WHERE session_id = ?1 AND store_claimed = 1");
  claimed->bind(1, session_id);
  if (!claimed->executeStep()) return;
  auto mark = db.statement("UPDATE sessions SET unverified = 1 WHERE session_id = ?1");
  mark->bind(1, session_id);
  mark->exec();
  // One row per claim not made: the token's (until its exp) and the shopper's (no end).
  auto owe = db.statement(
      "INSERT OR REPLACE INTO store_claims_pending (session_id, kind, claim_id, action, until_s)"
      " SELECT session_id, ?2, CASE ?2 WHEN 'token' THEN token_id ELSE shopper END, 'claim',"
      " CASE ?2 WHEN 'token' THEN token_expires_at ELSE 0 END FROM sessions WHERE session_id = ?1");
  for (const auto& [owed, kind] : {std::pair{unclaimed.token, "token"}, std::pair{unclaimed.shopper, "shopper"}}) {
    if (!owed) continue;
    owe->reset();
    owe->bind(1, session_id);
    owe->bind(2, kind);
    owe->exec();
  }
}

}  // namespace passgate::db
