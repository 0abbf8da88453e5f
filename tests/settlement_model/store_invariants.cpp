// The checks of store_invariants.hpp: the plan log and the gate's double uses against the
// reference model, the ledger summed per session.
#include "tests/settlement_model/store_invariants.hpp"

#include <SQLiteCpp/SQLiteCpp.h>

#include "controller/coordination/store_coordinator.hpp"
#include "db/cart_quarantine.hpp"
#include "db/settlement_store.hpp"
#include "tests/settlement_model/invariant_support.hpp"

namespace passgate::model {

namespace {

constexpr const char* kDoubleUseOnlyIfTaken = "a double use is reported only where another array took the token";
constexpr const char* kCartWaitsForClaim = "an unverified cart waits for its claim";
constexpr const char* kDoubleUseChargedByOperator = "a double use's cart is charged only by the operator";
constexpr const char* kDoubleUseFound = "a double use is found while it can be";
constexpr const char* kDoubleUseRowSaysSo = "a double use's quarantined cart says double_use";

// When a token's claim lapses, its key gone at every array (the reconciler's lapsed()).
std::int64_t claim_lapses_s(const ModelSession& session) {
  const coordination::CoordinationSettings store;
  return session.token_end_s + (store.lease_skew + store.double_use_window + store.lease_bucket).count();
}

bool collects(const std::string& plan) {
  return plan.find("charge") != std::string::npos || plan.find("capture") != std::string::npos;
}

struct LoggedPlan {
  std::string session_id;
  std::string plan;
  std::int64_t planned_at_ms = 0;
  bool claim_owed = false;
  bool double_use = false;
};

std::vector<LoggedPlan> logged_plans(GateProcess& gate) {
  SQLite::Statement query(gate.database->sql(),
                          "SELECT session_id, plan, planned_at_ms, claim_owed, double_use FROM model_plans");
  std::vector<LoggedPlan> plans;
  while (query.executeStep()) {
    plans.push_back({query.getColumn(0).getString(), query.getColumn(1).getString(), query.getColumn(2).getInt64(),
                     query.getColumn(3).getInt() != 0, query.getColumn(4).getInt() != 0});
  }
  return plans;
}

std::string text_of(const LoggedPlan& plan) {
  return "plan " + plan.plan + " of " + plan.session_id + " at " + std::to_string(plan.planned_at_ms / 1000) +
         " s (claim " + (plan.claim_owed ? "owed" : "not owed") + (plan.double_use ? ", double_use" : "") + ")";
}

std::optional<Violation> check_plan(const LoggedPlan& plan, const ModelSession& session) {
  if (!collects(plan.plan)) return std::nullopt;
  const std::int64_t wait_ends_s = session.token_end_s + db::SettlementStore::kClaimWaitMaxS;
  if (plan.claim_owed && plan.planned_at_ms / 1000 <= wait_ends_s) {
    return Violation{kCartWaitsForClaim, text_of(plan) + ": its token ended at " + std::to_string(session.token_end_s) +
                                             " s, the wait ends after " + std::to_string(wait_ends_s) + " s"};
  }
  if (plan.double_use && !session.double_use_charged) {
    return Violation{kDoubleUseChargedByOperator,
                     text_of(plan) + ": the operator did not charge a quarantined row of it saying double_use"};
  }
  return std::nullopt;
}

}  // namespace

void install_plan_log(db::Database& database) {
  database.sql().exec(
      "CREATE TABLE IF NOT EXISTS model_plans (session_id TEXT NOT NULL, plan TEXT NOT NULL,"
      " planned_at_ms INTEGER NOT NULL, claim_owed INTEGER NOT NULL, double_use INTEGER NOT NULL);"
      "CREATE TRIGGER IF NOT EXISTS model_plan_logged AFTER INSERT ON settlements BEGIN"
      " INSERT INTO model_plans SELECT NEW.session_id, NEW.plan, NEW.planned_at_ms,"
      " EXISTS (SELECT 1 FROM store_claims_pending p WHERE p.session_id = NEW.session_id AND p.kind = 'token'"
      " AND p.action = 'claim'),"
      " COALESCE((SELECT double_use FROM sessions WHERE session_id = NEW.session_id), 0); END;");
}

std::optional<Violation> observe_double_uses(const DayEvidence& day) {
  SQLite::Statement query(day.gate.database->sql(),
                          "SELECT session_id, other, cart FROM store_double_uses WHERE kind = 'token'");
  while (query.executeStep()) {
    const std::string session_id = query.getColumn(0).getString();
    ModelSession* session = day.shop.find(session_id);
    if (!session || !session->unverified || !session->taken_elsewhere) {
      return Violation{kDoubleUseOnlyIfTaken, "the gate found a double use of the token of " + session_id + " (other " +
                                                  query.getColumn(1).getString() + ", cart " +
                                                  query.getColumn(2).getString() +
                                                  ") that the store's other array never admitted"};
    }
    session->double_use_found = true;
  }
  return std::nullopt;
}

std::optional<Violation> check_store_step(const DayEvidence& day, const std::map<std::string, SessionMoney>& money) {
  std::map<std::string, LoggedPlan> plan_of;
  for (LoggedPlan& plan : logged_plans(day.gate)) {
    ModelSession* session = day.shop.find(plan.session_id);
    if (!session) continue;
    if (auto v = check_plan(plan, *session)) return v;
    plan_of[plan.session_id] = std::move(plan);
  }
  for (const auto& [number, session] : day.shop.sessions()) {
    if (!session.double_use_found) continue;
    // (A denied or cancelled session's cart is never charged, whatever its row says: not_admitted.)
    const auto reason = session.fate == Fate::open ? quarantined_reason(day.gate, session.id) : std::nullopt;
    if (reason && *reason != "double_use") {
      return Violation{kDoubleUseRowSaysSo, "the open quarantined cart of " + session.id +
                                                " says " + *reason + " after its token's double use was found"};
    }
    if (session.double_use_charged) continue;
    const auto it = money.find(session.id);
    if (it == money.end() || it->second.collected() == 0) continue;
    // Collected: only from a cart planned before the double use was found (after the wait).
    const auto plan = plan_of.find(session.id);
    if (plan == plan_of.end() || plan->second.double_use) {
      return Violation{kDoubleUseChargedByOperator,
                       text_of(session, it->second) + ": its double use was found and the operator did not charge "
                                                      "it, yet the ledger collected from it" +
                           (plan == plan_of.end() ? std::string() : "; " + text_of(plan->second))};
    }
  }
  return std::nullopt;
}

std::optional<Violation> check_store_day_end(const DayEvidence& day) {
  if (!day.shop.store) return std::nullopt;
  for (const auto& [number, session] : day.shop.sessions()) {
    if (session.fate != Fate::open || !session.unverified || !session.taken_elsewhere || session.double_use_found)
      continue;
    // (The gate's clock may have passed the lapse, dropping the claim, and been stepped back.)
    if (day.shop.latest_wall_s >= claim_lapses_s(session)) continue;
    return Violation{kDoubleUseFound, "session " + session.id + " was admitted unverified and the other array took its "
                                      "token; the store answers, its claim has not lapsed (at " +
                                          std::to_string(claim_lapses_s(session)) + " s; the latest time seen " +
                                          std::to_string(day.shop.latest_wall_s) + " s), but no double use was reported"};
  }
  return std::nullopt;
}

std::optional<std::string> quarantined_reason(GateProcess& gate, const std::string& session_id) {
  SQLite::Statement query(gate.database->sql(),
                          "SELECT reason FROM quarantined_carts WHERE session_id = ?1 AND state = 'open'");
  query.bind(1, session_id);
  if (!query.executeStep()) return std::nullopt;
  return query.getColumn(0).getString();
}

}  // namespace passgate::model
