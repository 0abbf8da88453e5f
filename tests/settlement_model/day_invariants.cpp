// The checks of day_invariants.hpp: the ledger summed per session, the queue read whole.
#include "tests/settlement_model/day_invariants.hpp"

#include <algorithm>
#include <iterator>
#include <map>
#include <sstream>
#include <stdexcept>
#include <utility>
#include <vector>

#include <SQLiteCpp/SQLiteCpp.h>

#include "controller/settlement/carts_feed.hpp"
#include "tests/settlement_model/card_invariants.hpp"
#include "tests/settlement_model/invariant_support.hpp"
#include "tests/settlement_model/ledger_money.hpp"
#include "tests/settlement_model/store_invariants.hpp"

namespace passgate::model {

namespace {

using db::PaymentOpRecord;
using db::PaymentOpState;
using sim::GatewayIntentStatus;

constexpr const char* kCollectedWithinCart = "collected within the cart";
constexpr const char* kOneChargePerKey = "one charge per idempotency key";
constexpr const char* kOneChargeAcrossRetries = "one charge per operation across its new attempts";
constexpr const char* kNoOperationLost = "no operation lost";
constexpr const char* kQueueDrains = "the queue drains";
constexpr const char* kCartCollectedOrDeadLettered = "every cart collected or dead-lettered";
constexpr const char* kNoHoldLeftOpen = "no hold left open after the session ended";
constexpr const char* kNoHoldReleasedWhileUnpaid = "no hold released while its cart is unpaid";

std::optional<Violation> collected_within_cart(const DayEvidence& day,
                                               const std::map<std::string, SessionMoney>& money) {
  for (const auto& [number, session] : day.shop.sessions()) {
    const auto it = money.find(session.id);
    if (it == money.end()) continue;
    if (it->second.collected() > ShopModel::collectable(session)) {
      return Violation{kCollectedWithinCart, text_of(session, it->second) + "; it owes at most " +
                                                 std::to_string(ShopModel::collectable(session))};
    }
  }
  return std::nullopt;
}

std::optional<Violation> one_charge_per_key(const GatewaySide& gateway) {
  for (const auto& [key, intent_ids] : gateway.intents_by_key) {
    int approved = 0;
    for (const std::string& id : intent_ids) {
      const sim::GatewayIntent* intent = gateway.ledger.find_intent(id);
      if (intent && intent->status != GatewayIntentStatus::requires_payment_method) ++approved;
    }
    if (approved > 1) {
      return Violation{kOneChargePerKey, "idempotency key " + key + " created " + std::to_string(approved) +
                                             " approved PaymentIntents at the gateway"};
    }
  }
  return std::nullopt;
}

// An operator's new attempt at a declined charge ("<its first key>:retry<n>") collects what the
// declined one was to collect: of an operation's keys, at most one collected.
std::optional<Violation> one_charge_across_retries(const std::map<std::string, SessionMoney>& money) {
  for (const auto& [session_id, m] : money) {
    std::map<std::string, std::string> collected;  // first key -> the keys that collected
    for (const auto& [key, amount] : m.charged_by_key) {
      if (amount <= 0) continue;
      std::string& keys = collected[first_key(key)];
      if (!keys.empty()) {
        return Violation{kOneChargeAcrossRetries, "session " + session_id + ": " + keys + " and " + key +
                                                      " both collected (" + std::to_string(m.charged) +
                                                      " charged in all)"};
      }
      keys = key;
    }
  }
  return std::nullopt;
}

std::optional<Violation> no_operation_lost(const DayEvidence& day, const std::vector<PaymentOpRecord>& ops) {
  const std::int64_t rows = day.gate.database->sql().execAndGet("SELECT COUNT(*) FROM payment_ops").getInt64();
  if (rows != static_cast<std::int64_t>(ops.size())) {
    return Violation{kNoOperationLost, std::to_string(rows) + " operations in the queue, " +
                                           std::to_string(ops.size()) + " of them in a known state"};
  }
  for (const auto& numbered : day.shop.sessions()) {
    const auto& session = numbered.second;  // named: the lambdas below capture it (clang 14)
    const auto mine = ops_of(ops, session.id);
    const auto has = [&mine](const std::string& name) {
      return std::any_of(mine.begin(), mine.end(), [&name](const PaymentOpRecord& op) { return op.op == name; });
    };
    if (session.hold_minor > 0 && !session.tap && !has("preauth")) {
      return Violation{kNoOperationLost, "session " + session.id + " asked for a hold at entry; its preauth is not "
                                         "in the queue: " + text_of(mine)};
    }
    const auto settlement = read(day.gate.store.settlement(session.id), "the settlement of " + session.id);
    if (!settlement) continue;
    // A plan's first operation is queued with it; after a charge above the hold, the hold is
    // voided once the charge succeeded (or was written off), and captured from once it was
    // declined: either must be there by then.
    std::istringstream plan(settlement->decision.plan);
    std::string first;
    std::getline(plan, first, '+');
    // A card plan ("card:...", card_rules.hpp) begins with the hold's capture, or its void.
    if (first.rfind("card:", 0) == 0)
      first = first == "card:capture" ? "capture" : first == "card:increment" ? "increment" : "void";
    const auto missing = [&](const std::string& planned) -> std::optional<Violation> {
      return Violation{kNoOperationLost, "session " + session.id + " was settled with plan " +
                                             settlement->decision.plan + " but has no " + planned +
                                             " operation: " + text_of(mine)};
    };
    if (first != "none" && !has(first)) return missing(first);
    if (settlement->decision.plan == "charge+void") {
      // The charge, or the operator's latest new attempt at it (made last: the highest id).
      const auto charge = std::find_if(mine.rbegin(), mine.rend(), [&session](const PaymentOpRecord& op) {
        return first_key(op.idempotency_key) == session.id + ":charge";
      });
      const bool ended = charge != mine.rend() && (charge->state == PaymentOpState::succeeded ||
                                                  charge->state == PaymentOpState::written_off ||
                                                  charge->state == PaymentOpState::declined);
      if (ended && !has("void") && !has("capture")) return missing("void or capture");
    }
  }
  return std::nullopt;
}

std::optional<Violation> queue_drains(const std::vector<PaymentOpRecord>& ops) {
  for (const PaymentOpRecord& op : ops) {
    const bool busy = op.state == PaymentOpState::in_flight ||
                      (op.state == PaymentOpState::pending && !waits_for_dead_letter(op, ops));
    if (busy) return Violation{kQueueDrains, "still " + text_of(op) + " after the faults stopped"};
  }
  return std::nullopt;
}

// A dead letter whose answer was a lie moved its money (the ledger executed it): the ledger
// counts it as collected, so it names nothing of the rest.
std::optional<Violation> cart_collected_or_dead_lettered(const DayEvidence& day, const ModelSession& session,
                                                         const SessionMoney& money,
                                                         const std::vector<PaymentOpRecord>& mine) {
  const std::int64_t owed = ShopModel::collectable(session);
  if (owed == 0 || money.collected() == owed || session.cart_op_written_off) return std::nullopt;
  // Held in the quarantine for the operator, for a reason the model knows of.
  if (const auto reason = quarantined_reason(day.gate, session.id)) {
    const bool known = (*reason == "double_use" && session.double_use_found) ||
                       (*reason == "over_limit" && session.first_cart && *session.first_cart > kMaxCartMinor);
    if (known) return std::nullopt;
    return Violation{kCartCollectedOrDeadLettered, text_of(session, money) + "; owes " + std::to_string(owed) +
                                                       ", its cart is held in the quarantine as " + *reason};
  }
  std::int64_t dead_lettered = 0;
  for (const PaymentOpRecord& op : mine) {
    const bool moved_money = day.gateway.lied_keys.count(op.idempotency_key) > 0;
    // A dead increment names the whole cart: the capture after it waits for it (card_rules.hpp).
    const bool names_money = op.op == "charge" || op.op == "capture" || op.op == "increment";
    if (is_dead_letter(op) && !moved_money && names_money) dead_lettered += op.amount_minor;
  }
  if (dead_lettered == owed - money.collected()) return std::nullopt;
  return Violation{kCartCollectedOrDeadLettered,
                   text_of(session, money) + "; owes " + std::to_string(owed) + ", the dead-letter list names " +
                       std::to_string(dead_lettered) + " of the " + std::to_string(owed - money.collected()) +
                       " not collected: " + text_of(mine)};
}

std::optional<Violation> no_hold_left_open(const DayEvidence& day, const ModelSession& session,
                                           const SessionMoney& money, const std::vector<PaymentOpRecord>& mine) {
  if (!ShopModel::ended(session) || money.open_holds.empty() || unverified_charge_waits(mine, day.gateway))
    return std::nullopt;
  // A quarantined cart's hold stays in place until the operator settles it (settlement.md).
  if (quarantined_reason(day.gate, session.id)) return std::nullopt;
  return Violation{kNoHoldLeftOpen, text_of(session, money) + ": " + text_of(mine)};
}

std::optional<Violation> no_hold_released_while_unpaid(const DayEvidence& day, const ModelSession& session,
                                                       const SessionMoney& money,
                                                       const std::vector<PaymentOpRecord>& mine) {
  const std::int64_t owed = ShopModel::collectable(session);
  if (money.collected() >= owed || money.released_holds.empty() || session.cart_op_written_off) return std::nullopt;
  const bool hold_amount_unknown = std::any_of(mine.begin(), mine.end(), [&day](const PaymentOpRecord& op) {
    return op.op == "preauth" && day.gateway.lied_keys.count(op.idempotency_key) > 0;
  });
  if (hold_amount_unknown) return std::nullopt;
  return Violation{kNoHoldReleasedWhileUnpaid, text_of(session, money) + "; owes " + std::to_string(owed) + ": " +
                                                   text_of(mine)};
}

}  // namespace

std::optional<Violation> check_every_step(const DayEvidence& day) {
  if (auto v = observe_double_uses(day)) return v;
  const auto money = money_by_session(day.gateway);
  if (auto v = collected_within_cart(day, money)) return v;
  if (auto v = one_charge_per_key(day.gateway)) return v;
  if (auto v = one_charge_across_retries(money)) return v;
  const auto ops = all_ops(day.gate);
  if (auto v = no_operation_lost(day, ops)) return v;
  if (auto v = check_store_step(day, money)) return v;
  return check_card_step(day, money, ops);
}

std::optional<Violation> check_day_end(const DayEvidence& day) {
  if (auto v = check_every_step(day)) return v;
  const auto ops = all_ops(day.gate);
  if (auto v = queue_drains(ops)) return v;
  const auto money = money_by_session(day.gateway);
  for (const auto& [number, session] : day.shop.sessions()) {
    const auto it = money.find(session.id);
    const SessionMoney none;
    const SessionMoney& mine_money = it == money.end() ? none : it->second;
    const auto mine = ops_of(ops, session.id);
    if (auto v = cart_collected_or_dead_lettered(day, session, mine_money, mine)) return v;
    if (auto v = no_hold_left_open(day, session, mine_money, mine)) return v;
    if (auto v = no_hold_released_while_unpaid(day, session, mine_money, mine)) return v;
  }
  if (auto v = check_store_day_end(day)) return v;
  return check_card_day_end(day, money, ops);
}

bool quiet(const DayEvidence& day) {
  const auto& sessions = day.shop.sessions();
  const bool admitting = std::any_of(sessions.begin(), sessions.end(),
                                     [](const auto& entry) { return entry.second.fate == Fate::admitting; });
  if (admitting) return false;
  if (!day.gate.engine.read_to_end(read(day.gate.store.cursor(controller::CartsFeed::kFeedName), "the feed cursor")))
    return false;
  return !queue_drains(all_ops(day.gate));
}

}  // namespace passgate::model
