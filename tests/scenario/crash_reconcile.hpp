// The crash test's reconciliation: what the payment gateway simulator's ledger (every
// PaymentIntent, by metadata[session_id]) must show once the gate has settled everything,
// given the tracking simulator's sessions and passages and the carts the test finalized.
// Each rule is a Catch2 CHECK naming the session. Test code.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <set>
#include <string>

namespace passgate::scenario {

// The sessions the tracking engine saw someone walk into (an admitted passage).
[[nodiscard]] std::set<std::string> sessions_walked_into(const nlohmann::json& tracking_state);

// How the card sessions with a cart were settled.
struct CardSettlements {
  int voided = 0;                // total 0
  int captured = 0;              // total within the hold
  int raised = 0;                // the hold raised to the total, then captured
  int captured_and_charged = 0;  // the hold captured whole, the rest charged
};

// Every session was settled exactly once for the cart in `carts` (session -> total):
//  - a card session (its `tpreauth` hold, of `card_hold`): one hold, then voided (total 0 or
//    no cart), captured for the total (total <= hold, or a raised hold), or captured whole
//    with one charge of the rest;
//  - an app session (no hold at entry): one charge of the total, nothing for total 0;
//  - a session without a cart (nobody walked in, a card attempt never admitted): no money
//    moved and no hold left; at most one card PaymentIntent is not canceled, with no card
//    read (requires_payment_method): the lane's next attempt, armed;
// and no hold is left requires_capture, no session is a duplicate in the ledger.
// Returns what the card sessions came to, for the test's report.
CardSettlements check_settled_exactly_once(const nlohmann::json& ledger,
                                           const std::map<std::string, std::int64_t>& carts, std::int64_t card_hold);

}  // namespace passgate::scenario
