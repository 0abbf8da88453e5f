// What the gateway's ledger shows for each session of a store day: collected (charges
// succeeded, holds captured), holds still open and holds released, summed from its
// PaymentIntents; the invariants (day_invariants.hpp, card_invariants.hpp) compare it with what
// the reference model says is owed.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "tests/settlement_model/gateway_side.hpp"

namespace passgate::model {

struct SessionMoney {
  std::int64_t charged = 0;                            // charge PaymentIntents succeeded
  std::int64_t captured = 0;                           // holds captured (an app session's preauth, a card's tap hold)
  std::vector<std::string> holds;                      // every hold placed
  std::vector<std::string> open_holds;                 // requires_capture
  std::vector<std::string> released_holds;             // placed, then canceled by the gate (voided)
  std::vector<std::string> lapsed_holds;               // placed, then let lapse by the gateway (a card's)
  std::map<std::string, std::int64_t> charged_by_key;  // idempotency key -> collected by its charge
  [[nodiscard]] std::int64_t collected() const { return charged + captured; }
};

// By session id.
[[nodiscard]] std::map<std::string, SessionMoney> money_by_session(const GatewaySide& gateway);

}  // namespace passgate::model
