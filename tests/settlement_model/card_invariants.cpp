// The card sessions' checks (card_invariants.hpp).
#include "tests/settlement_model/card_invariants.hpp"

#include <SQLiteCpp/SQLiteCpp.h>

#include <algorithm>
#include <set>

#include "tests/settlement_model/invariant_support.hpp"

namespace passgate::model {

namespace {

using db::PaymentOpRecord;
using db::PaymentOpState;

constexpr const char* kBlocklistIffUnpaid = "the blocklist holds a card iff it has an unpaid remainder";
constexpr const char* kCardSettledOnce = "every card session settled exactly once";

const SessionMoney& money_of(const std::map<std::string, SessionMoney>& money, const std::string& session_id) {
  static const SessionMoney kNone;
  const auto it = money.find(session_id);
  return it == money.end() ? kNone : it->second;
}

std::optional<Violation> one_hold_per_session(const DayEvidence& day,
                                              const std::map<std::string, SessionMoney>& money) {
  for (const auto& [session_id, m] : money) {
    if (m.holds.size() > 1) {
      const ModelSession* session = day.shop.find(session_id);
      return Violation{"at most one hold per session", (session ? text_of(*session, m) : "session " + session_id) +
                                                           ": " + std::to_string(m.holds.size()) + " holds placed"};
    }
  }
  return std::nullopt;
}

std::optional<Violation> never_capture_and_full_charge(const ModelSession& session, const SessionMoney& m) {
  if (!session.tap || m.captured == 0 || !session.first_cart) return std::nullopt;
  for (const auto& [key, amount] : m.charged_by_key) {
    const bool replaces_capture = first_key(key) == session.id + ":charge:capture";
    if (amount > 0 && (replaces_capture || amount >= *session.first_cart)) {
      return Violation{"never a hold captured and a full charge both",
                       text_of(session, m) + "; the hold was captured and " + key + " charged " +
                           std::to_string(amount) + " as well"};
    }
  }
  return std::nullopt;
}

// Decided, and nothing of it can move by itself any more.
bool settled(const DayEvidence& day, const ModelSession& session, const std::vector<PaymentOpRecord>& mine,
             const std::vector<PaymentOpRecord>& ops) {
  if (mine.empty()) return false;
  const bool still_moving = std::any_of(mine.begin(), mine.end(), [&ops](const PaymentOpRecord& op) {
    return op.state == PaymentOpState::in_flight ||
           (op.state == PaymentOpState::pending && !waits_for_dead_letter(op, ops));
  });
  return !still_moving && read(day.gate.store.settlement(session.id), "the settlement of " + session.id).has_value();
}

// An increment left for the operator (unverified, or refused after a lost answer): whether the
// hold was raised is a person's to find out, so the hold stays until they retry or write it off.
bool increment_waits(const std::vector<PaymentOpRecord>& mine) {
  return std::any_of(mine.begin(), mine.end(), [](const PaymentOpRecord& op) {
    return op.op == "increment" && is_dead_letter(op) && !op.replaced_by;
  });
}

std::optional<Violation> no_hold_open_once_settled(const DayEvidence& day, const ModelSession& session,
                                                   const SessionMoney& m, const std::vector<PaymentOpRecord>& ops) {
  if (m.open_holds.empty()) return std::nullopt;
  const auto mine = ops_of(ops, session.id);
  if (!settled(day, session, mine, ops) || unverified_charge_waits(mine, day.gateway) || increment_waits(mine))
    return std::nullopt;
  return Violation{"no hold left open once its session is settled", text_of(session, m) + ": " + text_of(mine)};
}

// The query's rows, its first column to its second (the first row of each wins).
std::map<std::string, std::string> column_map(SQLite::Database& sql, const char* query) {
  std::map<std::string, std::string> found;
  SQLite::Statement rows(sql, query);
  while (rows.executeStep()) found.emplace(rows.getColumn(0).getString(), rows.getColumn(1).getString());
  return found;
}

// A remainder not paid: neither collected nor written off, nor replaced by an operator's new
// attempt (which is what is owed then).
bool unpaid_remainder(const PaymentOpRecord& op) {
  return is_remainder(op) && !op.replaced_by && op.state != PaymentOpState::succeeded &&
         op.state != PaymentOpState::written_off;
}

// Not settled yet: still to be sent or followed up, or a dead letter for the operator. A void
// never counts: it collects nothing.
bool unresolved(const PaymentOpRecord& op) {
  if (op.op == "void") return false;
  return op.state == PaymentOpState::pending || op.state == PaymentOpState::in_flight ||
         (is_dead_letter(op) && !op.replaced_by);
}

std::optional<Violation> blocklist_iff_unpaid(const DayEvidence& day, const std::vector<PaymentOpRecord>& ops) {
  SQLite::Database& sql = day.gate.database->sql();
  // fingerprint hash -> the session its entry names
  const auto listed =
      column_map(sql, "SELECT fingerprint_hash, session_id FROM card_blocklist WHERE lifted_at_ms = 0");
  // card session (an admitted attempt's) -> its card's fingerprint hash
  const auto card_of =
      column_map(sql, "SELECT session_id, fingerprint_hash FROM card_attempts WHERE state = 'admitted'");
  std::map<std::string, std::string> unpaid;  // hash -> the first session of it with an unpaid remainder
  // A card may stay listed after its remainder was paid or written off while another operation
  // of that partially paid session is still unresolved: what it owes is not known yet.
  std::map<std::string, std::string> owing;
  std::set<std::string> partially_paid;  // sessions that ever had a remainder
  for (const PaymentOpRecord& op : ops)
    if (is_remainder(op)) partially_paid.insert(op.session_id);
  for (const PaymentOpRecord& op : ops) {
    const auto card = card_of.find(op.session_id);
    if (card == card_of.end()) continue;
    if (unpaid_remainder(op)) unpaid.emplace(card->second, op.session_id);
    if (partially_paid.count(op.session_id) > 0 && unresolved(op)) owing.emplace(card->second, op.session_id);
  }
  for (const auto& [hash, session_id] : listed) {
    if (unpaid.count(hash) == 0 && owing.count(hash) == 0) {
      return Violation{kBlocklistIffUnpaid, "the card of session " + session_id +
                                                " is on the blocklist, but no session of it has an unpaid remainder: " +
                                                text_of(ops_of(ops, session_id))};
    }
  }
  for (const auto& [hash, session_id] : unpaid) {
    if (listed.count(hash) == 0) {
      return Violation{kBlocklistIffUnpaid, "session " + session_id +
                                                " has an unpaid remainder, but its card is not "
                                                "on the blocklist: " +
                                                text_of(ops_of(ops, session_id))};
    }
  }
  return std::nullopt;
}

std::optional<Violation> settled_exactly_once(const DayEvidence& day, const ModelSession& session,
                                              const SessionMoney& m, const std::vector<PaymentOpRecord>& mine) {
  if (!session.tap || session.fate == Fate::denied || !ShopModel::ended(session)) return std::nullopt;
  const auto settlement = read(day.gate.store.settlement(session.id), "the settlement of " + session.id);
  if (!settlement) return Violation{kCardSettledOnce, text_of(session, m) + ": never settled: " + text_of(mine)};
  const bool from_first_cart =
      session.first_cart && session.fate == Fate::open
          ? settlement->decision.from_cart && settlement->decision.total_minor == *session.first_cart
          : true;
  std::set<std::string> keys;
  for (const PaymentOpRecord& op : mine) {
    if (!keys.insert(op.idempotency_key).second) {
      return Violation{kCardSettledOnce,
                       text_of(session, m) + ": " + op.idempotency_key + " queued twice: " + text_of(mine)};
    }
  }
  if (from_first_cart) return std::nullopt;
  return Violation{kCardSettledOnce, text_of(session, m) + ": settled with plan " + settlement->decision.plan +
                                         " for a total of " + std::to_string(settlement->decision.total_minor) +
                                         ", not its first cart"};
}

std::optional<Violation> increment_covers_cart(const DayEvidence& day, const ModelSession& session,
                                               const SessionMoney& m, const std::vector<PaymentOpRecord>& mine) {
  if (!session.tap || !session.tap->incremental) return std::nullopt;
  if (day.gateway.lapsed_holds.count(session.hold_intent) > 0 || day.gateway.declining_sessions.count(session.id) > 0)
    return std::nullopt;
  // The issuer may decline the higher amount (the simulator's test amounts, e.g. one ending in
  // .01): the next row follows, as the contract says.
  const bool declined = std::any_of(mine.begin(), mine.end(), [](const PaymentOpRecord& op) {
    return op.op == "increment" && op.state == PaymentOpState::declined;
  });
  if (declined) return std::nullopt;
  // A hold in another currency than the cart is not raised but voided, the cart charged instead
  // (card_rules.hpp).
  const auto settlement = read(day.gate.store.settlement(session.id), "the settlement of " + session.id);
  if (settlement && (settlement->decision.plan == "card:charge" || settlement->decision.plan == "card:unpaid"))
    return std::nullopt;
  const bool unpaid = std::any_of(mine.begin(), mine.end(), [](const PaymentOpRecord& op) { return is_remainder(op); });
  if (!unpaid) return std::nullopt;
  return Violation{"an incremental hold covers the cart", text_of(session, m) +
                                                              ": the hold supports incremental authorization, yet "
                                                              "the cart above it was left partly unpaid: " +
                                                              text_of(mine)};
}

std::optional<Violation> lapsed_capture_replaced(const DayEvidence& day, const ModelSession& session,
                                                const SessionMoney& m, const std::vector<PaymentOpRecord>& mine) {
  if (!session.tap || day.gateway.lapsed_holds.count(session.hold_intent) == 0)
    return std::nullopt;
  for (const PaymentOpRecord& op : mine) {
    if (op.op == "capture" && is_dead_letter(op) && day.gateway.lied_keys.count(op.idempotency_key) == 0) {
      return Violation{"a lapsed hold's capture is replaced",
                       text_of(session, m) + ": its hold lapsed, yet " + text_of(op) + " is left a dead letter"};
    }
  }
  return std::nullopt;
}

// A reload's sealing keys were accepted (Settlement::check_sealing_keys) while a payment
// reference still in use needed a key they dropped.
std::optional<Violation> every_reference_opens(const std::vector<PaymentOpRecord>& ops) {
  for (const PaymentOpRecord& op : ops) {
    if (op.last_error.find("cannot open") != std::string::npos) {
      return Violation{"every payment reference opens", text_of(op) + ": " + op.last_error};
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<Violation> check_card_step(const DayEvidence& day, const std::map<std::string, SessionMoney>& money,
                                         const std::vector<PaymentOpRecord>& ops) {
  if (auto v = one_hold_per_session(day, money)) return v;
  if (auto v = every_reference_opens(ops)) return v;
  for (const auto& [number, session] : day.shop.sessions()) {
    const SessionMoney& m = money_of(money, session.id);
    if (auto v = never_capture_and_full_charge(session, m)) return v;
    if (auto v = no_hold_open_once_settled(day, session, m, ops)) return v;
  }
  return blocklist_iff_unpaid(day, ops);
}

std::optional<Violation> check_card_day_end(const DayEvidence& day, const std::map<std::string, SessionMoney>& money,
                                            const std::vector<PaymentOpRecord>& ops) {
  for (const auto& [number, session] : day.shop.sessions()) {
    const SessionMoney& m = money_of(money, session.id);
    const auto mine = ops_of(ops, session.id);
    if (auto v = settled_exactly_once(day, session, m, mine)) return v;
    if (auto v = increment_covers_cart(day, session, m, mine)) return v;
    if (auto v = lapsed_capture_replaced(day, session, m, mine)) return v;
  }
  return std::nullopt;
}

}  // namespace passgate::model
