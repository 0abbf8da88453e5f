// Settlement rules: what to do with a session's money once its final cart is known (or it
// ended without one), given the hold placed at entry. Pure functions, no I/O.
//   no cart (cancelled, denied)  -> void the hold, if any
//   total 0                      -> void the hold, if any
//   hold, total <= hold          -> capture the total
//   hold, total > hold           -> charge the total, then void the hold
//   no hold                      -> charge the total
// A hold in another currency than the cart is treated like total > hold.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
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

[[nodiscard]] SettlementPlan plan_settlement(const std::string& session_id, const std::optional<db::FinalCart>& cart,
                                             const std::optional<PlacedHold>& hold);

}  // namespace passgate::controller
