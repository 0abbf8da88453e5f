// Card settlement rules: how a card session's money moves once its final cart is known (or it
// ended without one), from the hold its tap placed (docs/settlement.md, "Card sessions").
// T is the cart's total, H the hold. Pure functions, no I/O.
//   no cart, or T = 0               -> void the hold
//   0 < T <= H                      -> capture T
//   T > H, the card supports incremental authorization (saved card or not)
//                                   -> increment the hold to T ("card:increment+capture"); once it
//                                      is final (card_after_increment): succeeded, capture T;
//                                      declined (402), refused (400, e.g. not supported) or
//                                      written off, the next row; its hold found gone,
//                                      card_after_lost_hold
//   T > H, a saved card             -> capture H, then charge T - H off-session to the saved card
//   T > H, no saved card (a wallet) -> capture H; T - H unpaid
//   the hold past capture_before by this box's clock -> planned as above all the same (the clock
//                                      may be ahead of the network's); if the hold is really
//                                      gone, its capture is refused and replaced (the row after next)
//   a cart in another currency than the hold -> void the hold; charge T (none: T unpaid)
//   a capture (or an increment) whose hold lapsed or was cancelled before it went through
//   (card_after_lost_hold)          -> charge its amount to the saved card ("<sid>:charge:capture");
//                                      none: that amount unpaid
// Unpaid (also a charge declined: card_charge_unpaid) means partially paid: the unpaid part is
// a dead letter for an operator ("<sid>:charge:remainder", or "<sid>:charge:capture:remainder"
// for what a lost hold did not collect) and the card goes on the blocklist.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "db/card_settlement_store.hpp"
#include "db/payment_queue.hpp"
#include "db/settlement_store.hpp"

namespace passgate::controller {

// What settlement knows of a card session's hold (from its admitted card attempt).
struct CardHold {
  std::int64_t amount_minor = 0;  // H
  std::string currency;
  std::string intent_id;          // the hold's PaymentIntent (a payment reference)
  std::string fingerprint_hash;   // the card, for the blocklist
  bool card_saved = false;        // a generated_card to charge off-session
  bool incremental = false;       // the card supports incremental authorization: T > H raises the hold
  bool lapsed = false;            // capture_before has passed by this box's clock (logged; planned as any hold)
};

struct CardPlan {
  db::SettlementDecision decision;
  std::vector<db::NewPaymentOp> ops;           // in order; each waits for the one before it
  std::optional<db::UnpaidRemainder> unpaid;   // partially paid
};

[[nodiscard]] CardPlan plan_card_settlement(const std::string& session_id, const std::optional<db::FinalCart>& cart,
                                            const CardHold& hold);
// What follows increment `increment` once it is final: succeeded, capture the total; declined,
// refused or written off by an operator, the row after it (capture H, then the charge, or the
// rest unpaid). (One whose
// hold was found gone, hold_canceled, is followed up by card_after_lost_hold instead.)
[[nodiscard]] CardPlan card_after_increment(const db::PaymentOpRecord& increment, const db::FinalCart& cart,
                                            const CardHold& hold);
// The card charge `charge` (of the rest, or in place of a capture) was declined: what it was
// to collect is unpaid.
[[nodiscard]] db::UnpaidRemainder card_charge_unpaid(const db::PaymentOpRecord& charge, const CardHold& hold);
// The key suffix of the charge that replaces a capture whose hold was gone ("<sid>:charge:capture").
inline constexpr const char* kCaptureKeySuffix = "capture";
// Capture `capture` (or an increment: the whole cart) failed and its hold is gone with
// nothing received (hold_canceled): what it was to collect is charged off-session to the saved
// card under its own key, or, without one, unpaid. The rest above the hold (a charge of its
// own) is not touched: each part is collected once.
[[nodiscard]] CardPlan card_after_lost_hold(const db::PaymentOpRecord& capture, const CardHold& hold);

}  // namespace passgate::controller
