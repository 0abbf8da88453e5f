// Settlement rules: what to do with a session's money once its final cart is known (or it
// ended without one), given the hold placed at entry. Pure functions, no I/O.
//   no cart (cancelled, denied)  -> void the hold, if any
//   total 0                      -> void the hold, if any
//   hold, total <= hold          -> capture the total
//   hold, total > hold           -> charge the total; once the charge is final (plan_after_charge):
//                                   succeeded (or written off) -> void the hold;
//                                   declined, or rejected on its only send -> capture min(total,
//                                   hold) from the hold, the remainder a dead letter for an operator;
//                                   unverified, or rejected after an unknown outcome -> nothing
//                                   until an operator acts
//   no hold                      -> charge the total
// A hold in another currency than the cart is treated like total > hold (nothing can be
// captured from it: a failed charge then voids it and stays the dead letter).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "db/payment_queue.hpp"
#include "db/settlement_store.hpp"

namespace passgate::controller {

struct PlacedHold {
  std::int64_t amount_minor = 0;
  std::string currency;
  std::string intent_id;  // the preauth's PaymentIntent
};

struct SettlementPlan {
  db::SettlementDecision decision;
  std::vector<db::NewPaymentOp> ops;  // in order; each waits for the one before it
};

// One payment operation of a settlement (its key "<session_id>:<op>"), for these rules and the
// card rules (card_rules.hpp).
[[nodiscard]] db::NewPaymentOp settlement_op(const std::string& session_id, std::string_view op, std::int64_t amount,
                                             const std::string& currency, const std::string& intent_id);

[[nodiscard]] SettlementPlan plan_settlement(const std::string& session_id, const std::optional<db::FinalCart>& cart,
                                             const std::optional<PlacedHold>& hold);

// What follows the charge of a "charge+void" plan once it is final (succeeded, declined,
// rejected, or written off by an operator; never an unverified one).
struct AfterCharge {
  std::string plan;                        // "void", "capture_from_hold"
  std::vector<db::NewPaymentOp> ops;       // the void, or the capture from the hold
  std::optional<db::NewPaymentOp> remainder;  // the part the hold could not cover
  std::string remainder_reason;            // for the dead-letter list
};
[[nodiscard]] AfterCharge plan_after_charge(const db::PaymentOpRecord& charge, const db::FinalCart& cart,
                                            const PlacedHold& hold);

}  // namespace passgate::controller
