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

namespace passgate::model {

namespace {

using db::PaymentOpRecord;
using db::PaymentOpState;
using sim::GatewayIntentStatus;

constexpr const char* kCollectedWithinCart = "collected within the cart";
constexpr const char* kOneChargePerKey = "one charge per idempotency key";
constexpr const char* kNoOperationLost = "no operation lost";
constexpr const char* kQueueDrains = "the queue drains";
constexpr const char* kCartCollectedOrDeadLettered = "every cart collected or dead-lettered";
constexpr const char* kNoHoldLeftOpen = "no hold left open after the session ended";
constexpr const char* kNoHoldReleasedWhileUnpaid = "no hold released while its cart is unpaid";

// What the ledger shows for one session.
struct SessionMoney {
  std::int64_t charged = 0;   // charge PaymentIntents succeeded
  std::int64_t captured = 0;  // holds captured
  std::vector<std::string> open_holds;      // requires_capture
  std::vector<std::string> released_holds;  // placed, then canceled
  [[nodiscard]] std::int64_t collected() const { return charged + captured; }
};

std::map<std::string, SessionMoney> money_by_session(const GatewaySide& gateway) {
  std::map<std::string, SessionMoney> money;
  for (const sim::GatewayIntent& intent : gateway.ledger.intents()) {
    SessionMoney& m = money[intent.session_id];
    const bool hold = intent.op == "preauth";
    if (intent.status == GatewayIntentStatus::succeeded) (hold ? m.captured : m.charged) += intent.amount_received;
    if (hold && intent.status == GatewayIntentStatus::requires_capture) m.open_holds.push_back(intent.id);
    if (hold && intent.status == GatewayIntentStatus::canceled && gateway.placed_holds.count(intent.id) > 0)
      m.released_holds.push_back(intent.id);
  }
  return money;
}

template <class T>
T read(Result<T> result, const std::string& what) {
  if (!result.ok()) throw std::runtime_error("cannot read " + what + ": " + result.error().message);
  return std::move(result).value();
}

std::vector<PaymentOpRecord> all_ops(GateProcess& gate) {
  return read(gate.queue.in_states({PaymentOpState::pending, PaymentOpState::in_flight, PaymentOpState::succeeded,
                                    PaymentOpState::declined, PaymentOpState::dead, PaymentOpState::written_off}),
              "the payment queue");
}

std::vector<PaymentOpRecord> ops_of(const std::vector<PaymentOpRecord>& ops, const std::string& session_id) {
  std::vector<PaymentOpRecord> mine;
  std::copy_if(ops.begin(), ops.end(), std::back_inserter(mine),
               [&session_id](const PaymentOpRecord& op) { return op.session_id == session_id; });
  return mine;
}

// "charge #7 s3:charge 6000 USD dead (alert)"
std::string text_of(const PaymentOpRecord& op) {
  return op.op + " #" + std::to_string(op.id) + " " + op.idempotency_key + " " + std::to_string(op.amount_minor) +
         " " + op.currency + " " + std::string(db::to_string(op.state)) + (op.alert ? " (alert)" : "");
}

std::string text_of(const std::vector<PaymentOpRecord>& ops) {
  std::string out;
  for (const PaymentOpRecord& op : ops) out += (out.empty() ? "" : "; ") + text_of(op);
  return out.empty() ? "no operations" : out;
}

std::string text_of(const ModelSession& session, const SessionMoney& money) {
  static constexpr const char* kFates[] = {"admitting", "open", "denied", "cancelled"};
  std::ostringstream out;
  out << "session " << session.id << " (hold " << session.hold_minor << ", " << kFates[static_cast<int>(session.fate)]
      << ", first cart " << (session.first_cart ? std::to_string(*session.first_cart) : std::string("none"))
      << "): ledger charged " << money.charged << ", captured " << money.captured << ", open holds "
      << money.open_holds.size() << ", released holds " << money.released_holds.size();
  return out.str();
}

bool is_dead_letter(const PaymentOpRecord& op) { return db::is_dead_letter(op.state, op.alert); }

// A pending operation that waits for a dead letter: only the operator can move it on.
bool waits_for_dead_letter(const PaymentOpRecord& op, const std::vector<PaymentOpRecord>& ops) {
  if (op.state != PaymentOpState::pending || !op.after_op_id) return false;
  return std::any_of(ops.begin(), ops.end(), [&op](const PaymentOpRecord& other) {
    return other.id == *op.after_op_id && (other.state == PaymentOpState::declined || other.state == PaymentOpState::dead);
  });
}

// The session's charge, dead-lettered when money may have moved (a misstated answer, or a
// refusal after an earlier send whose outcome was unknown): the operator's to resolve.
bool unverified_charge_waits(const std::vector<PaymentOpRecord>& ops, const GatewaySide& gateway) {
  return std::any_of(ops.begin(), ops.end(), [&gateway](const PaymentOpRecord& op) {
    const bool uncertain =
        gateway.lied_keys.count(op.idempotency_key) > 0 ||
        (op.state == PaymentOpState::dead && op.attempts > 1 && op.idempotency_key == op.session_id + ":charge");
    return op.op == "charge" && is_dead_letter(op) && uncertain;
  });
}

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
    if (session.hold_minor > 0 && !has("preauth")) {
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
    const auto missing = [&](const std::string& planned) -> std::optional<Violation> {
      return Violation{kNoOperationLost, "session " + session.id + " was settled with plan " +
                                             settlement->decision.plan + " but has no " + planned +
                                             " operation: " + text_of(mine)};
    };
    if (first != "none" && !has(first)) return missing(first);
    if (settlement->decision.plan == "charge+void") {
      const auto charge = std::find_if(mine.begin(), mine.end(), [&session](const PaymentOpRecord& op) {
        return op.idempotency_key == session.id + ":charge";
      });
      const bool ended = charge != mine.end() && (charge->state == PaymentOpState::succeeded ||
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
  std::int64_t dead_lettered = 0;
  for (const PaymentOpRecord& op : mine) {
    const bool moved_money = day.gateway.lied_keys.count(op.idempotency_key) > 0;
    if (is_dead_letter(op) && !moved_money && (op.op == "charge" || op.op == "capture")) dead_lettered += op.amount_minor;
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
  const auto money = money_by_session(day.gateway);
  if (auto v = collected_within_cart(day, money)) return v;
  if (auto v = one_charge_per_key(day.gateway)) return v;
  return no_operation_lost(day, all_ops(day.gate));
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
  return std::nullopt;
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
