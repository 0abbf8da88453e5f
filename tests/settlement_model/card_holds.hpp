// The card-present holds of a store day at the gateway. A card shopper's tap places one as a
// lane's terminal does (drivers/terminal_request.hpp's requests: the customer, the card-present
// PaymentIntent, process_payment_intent at the model's reader, the simulated tap), and the hold
// is read back as the card-entry runner reads it (GET of the PaymentIntent, its answer checked
// by drivers/terminal_response.hpp): the card, and the capture_before the terminal says
// (CardTap::deadline: the network's, none, or nonsense the gate must not believe; the
// simulator dates everything by the network's clock). The card-entry runner's abandon voids
// it when the card is turned away. A hold lapses at its
// capture_before by the network's clock (GatewaySide::network_now_ms, not the gate's wall
// clock, which may be stepped): the gateway cancels it, as an issuer lets an authorization
// expire, and lapse_due_holds() does so before each request reaches the ledger and before
// the invariants look at it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "tests/settlement_model/day_steps.hpp"
#include "tests/settlement_model/gateway_side.hpp"

namespace passgate::model {

inline constexpr const char* kModelReader = "tmr_model";

// A hold placed (requires_capture), as the terminal's read of its PaymentIntent shows it.
struct PlacedHold {
  std::string customer;        // cus_...
  std::string intent_id;       // pi_...
  std::string fingerprint;     // the card's (or the wallet token's)
  std::string generated_card;  // pm_... saved to the customer; "" for a wallet
  bool incremental = false;
  std::optional<std::int64_t> capture_before_s;  // as the read says it (Unix seconds); none: not said
  std::string not_believed;    // why the gate's check did not believe the read; "": believed
};

// Places `session_id`'s hold of `hold_minor` USD for `tap` at the ledger; throws if the
// simulator does not place it (a harness error).
[[nodiscard]] PlacedHold place_card_hold(GatewaySide& side, const std::string& session_id, std::int64_t hold_minor,
                                         const CardTap& tap);
// The runner's abandon of a card turned away: POST .../cancel with key "<sid>:void".
void void_card_hold(GatewaySide& side, const std::string& session_id, const PlacedHold& hold);
// The card's fingerprint as the simulator reads it at a tap.
[[nodiscard]] std::string tapped_fingerprint(const CardTap& tap);
// Every hold still requires_capture whose capture_before has passed is canceled.
void lapse_due_holds(GatewaySide& side);

}  // namespace passgate::model
