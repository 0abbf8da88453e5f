// The store steps' play and their checks (store_steps.hpp).
#include "tests/settlement_model/store_steps.hpp"

#include <algorithm>

#include <SQLiteCpp/SQLiteCpp.h>

#include "common/time_format.hpp"
#include "controller/coordination/store_coordinator.hpp"
#include "db/cart_quarantine.hpp"
#include "tests/settlement_model/invariant_support.hpp"

namespace passgate::model {

namespace {

constexpr const char* kChargeCartAsDocumented = "the operator's charge-cart is done or refused as documented";
constexpr const char* kDoubleUseRetryRefused =
    "queue retry refuses a charge or capture of a double use not confirmed by an operator, and only that";

// Etcd inside the running gate, changed by `change`.
template <class Change>
void change_store(GateProcess& gate, StoreWorld& world, Change change) {
  gate.save_store(world);
  change(world);
  if (gate.store_kv) world.load_into(*gate.store_kv);
}

bool marked_double_use(GateProcess& gate, const std::string& session_id) {
  SQLite::Statement query(gate.database->sql(), "SELECT double_use FROM sessions WHERE session_id = ?1");
  query.bind(1, session_id);
  return query.executeStep() && query.getColumn(0).getInt() != 0;
}

}  // namespace

void set_store_answering(GateProcess& gate, StoreWorld& world, bool answering) {
  change_store(gate, world, [answering](StoreWorld& w) { w.down = !answering; });
  if (answering && gate.reconciler) gate.reconciler->kick();
}

void other_array_admits(GateProcess& gate, StoreWorld& world, ModelSession& session) {
  if (!session.unverified || (session.fate != Fate::admitting && session.fate != Fate::open)) return;
  const coordination::CoordinationSettings store;
  const WallTime until = WallTime{std::chrono::seconds(session.token_end_s)} + store.lease_skew +
                         store.double_use_window + store.lease_bucket;
  change_store(gate, world, [&](StoreWorld& w) {
    if (w.other_array_claims("jti-" + session.id, gate.vt.wall_now(), until)) session.taken_elsewhere = true;
  });
}

std::optional<Violation> operator_charges_cart(GateProcess& gate, ShopModel& shop, int pick) {
  db::CartQuarantine quarantine(*gate.database);
  const auto rows = read(quarantine.open(0), "the quarantined carts");
  if (rows.empty()) return std::nullopt;
  const db::QuarantineRecord row = rows[static_cast<std::size_t>(pick) % rows.size()];
  ModelSession* session = shop.find(row.cart.session_id);
  if (!session || !session->first_cart) return std::nullopt;
  const std::int64_t total = *session->first_cart > kMaxCartMinor ? *session->first_cart - kMaxCartMinor
                                                                  : *session->first_cart;
  const bool double_use = marked_double_use(gate, session->id);
  const db::QuarantineReason reason = row.cart.reason;
  // A double use's cart is charged only with --double-use (the deliberate decision, half the
  // time here); now and then the operator gives it for a cart that is no double use.
  const bool confirm = double_use ? pick % 2 == 0 : pick % 5 == 4;
  const Status charged =
      quarantine.charge(row.id, "USD", total, "the model's operator", db::AuditActor("model-operator"), gate.now_ms(),
                        confirm ? db::CartQuarantine::DoubleUse::confirmed : db::CartQuarantine::DoubleUse::not_confirmed);
  const bool chargeable = session->fate == Fate::open && (reason == db::QuarantineReason::double_use ||
                                                          reason == db::QuarantineReason::over_limit);
  const std::string what = "charge-cart" + std::string(confirm ? " --double-use" : "") + " of the " +
                           std::string(db::to_string(reason)) + " row of " + session->id + " (" +
                           (double_use ? "a double use" : "no double use") + ")";
  // Refused for the confirmation (missing, or given for no double use): nothing written.
  const char* refusal = !chargeable ? nullptr : double_use && !confirm ? "double_use"
                                             : !double_use && confirm ? "invalid_argument"
                                                                      : nullptr;
  if (refusal != nullptr) {
    const auto now_row = read(quarantine.find(row.id), "quarantined cart " + std::to_string(row.id));
    const bool unchanged = now_row && now_row->state == db::QuarantineState::open && now_row->cart.reason == reason;
    if (charged.ok() || charged.error().code != refusal || !unchanged) {
      return Violation{kChargeCartAsDocumented, what + " was " + (charged.ok() ? "done" : charged.error().code) +
                                                    (unchanged ? "" : ", the row changed") + "; it must be refused as " +
                                                    refusal + ", nothing written"};
    }
    return std::nullopt;
  }
  if (charged.ok() != chargeable) {
    return Violation{kChargeCartAsDocumented,
                     what + (charged.ok() ? " was done" : " was refused: " + charged.error().message)};
  }
  if (!charged.ok()) return std::nullopt;
  session->operator_total = total;
  if (double_use) session->double_use_charged = true;
  return std::nullopt;
}

std::optional<Violation> check_double_use_retry(GateProcess& gate, const db::PaymentOpRecord& op,
                                                const Result<controller::RetriedDeadLetter>& retried) {
  const bool refused = !retried.ok() && retried.error().code == "double_use";
  // A charge or capture of a double use, unless an operator charged its cart with --double-use.
  SQLite::Statement confirmed(gate.database->sql(),
                              "SELECT 1 FROM quarantined_carts WHERE session_id = ?1 AND reason = 'double_use'"
                              " AND state = 'charged'");
  confirmed.bind(1, op.session_id);
  const bool to_refuse = (op.op == "charge" || op.op == "capture") && marked_double_use(gate, op.session_id) &&
                         !confirmed.executeStep();
  if (refused == to_refuse) return std::nullopt;
  return Violation{kDoubleUseRetryRefused, "the retry of " + text_of(op) + " was " +
                                               (retried.ok() ? std::string("done") : retried.error().code) +
                                               (to_refuse ? ": its session is a double use" : "")};
}

std::int64_t claim_wait_left_ms(GateProcess& gate, const ShopModel& shop) {
  std::int64_t left_ms = 0;
  for (const auto& [number, session] : shop.sessions()) {
    if (!session.unverified || session.fate != Fate::open || !session.first_cart) continue;
    if (read(gate.store.settlement(session.id), "the settlement of " + session.id)) continue;
    const std::int64_t ends_ms = (session.token_end_s + db::SettlementStore::kClaimWaitMaxS + 1) * 1000;
    left_ms = std::max(left_ms, ends_ms - gate.now_ms());
  }
  return left_ms;
}

}  // namespace passgate::model
