// Hold check: what a card session's capture or void that the gateway declined or refused
// really left, decided from the hold's PaymentIntent read right after that answer
// (PaymentGateway::read_intent). The PaymentIntent's status is the source of truth
// (docs/interfaces/payment-terminal.md): a capture refused because the hold lapsed or was
// cancelled by the network has collected nothing, one answered after a lost success may have
// collected it all. Pure functions, no I/O; the drainer asks and records the verdict.
//   capture, the PaymentIntent succeeded with exactly its amount received -> succeeded (done)
//   capture, the PaymentIntent canceled with nothing received -> failed as answered, and
//     hold_canceled: the planner replaces it (a charge of its amount to the saved card, or an
//     unpaid remainder without one)
//   capture, the PaymentIntent still requires_capture, until the watch ends (hold_watch_end_ms:
//     a day past the hold's capture_before, db::kHoldWatchAfterLapseS, or kHoldWatchMaxS after
//     the hold was placed when capture_before is not known; and never past kHoldWatchMaxS
//     after the capture's first attempt, whatever capture_before says) -> unknown: the network
//     may cancel a lapsed hold only later, and a read may lag; sent again with its key (its
//     refusal replayed) and read again. Past that -> failed as answered (a dead letter with
//     its alert)
//   void, the PaymentIntent canceled with nothing received -> succeeded (nothing to release)
//   the read's outcome unknown for now (time-out, 5xx, 409, 429) -> unknown: the operation is
//     sent again with its same key (its answer replayed) and the hold read again
//   anything else (the hold still stands, the read refused, a PaymentIntent that does not
//     match: another id, session or currency, an amount below the capture's; an amount
//     received that is not the capture's) -> the failure as answered (or unverified if money
//     moved otherwise), with what the read said, for an operator
// An increment whose answer was lost (unknown: 5xx, time-out, reset, after it was written) is
// resolved the same way, never by sending it blindly (ports/payment_intent_match.hpp,
// increment_on_hold):
//   the hold requires_capture with at least the new amount capturable -> succeeded
//   the hold requires_capture with less capturable (not applied) -> unknown: sent again with
//     its same key, then read again
//   the hold canceled with nothing received -> failed (refused) and hold_canceled: the planner
//     charges the cart to the saved card instead, or leaves it unpaid without one
//   the read unknown for now -> unknown, as for a capture
//   anything else (the read refused, another hold, a hold captured or in a state the contract
//     does not name) -> unverified: the increment may have moved the hold, a person looks
// An increment declined or refused (a final answer) is read too, and never sent again:
//   the hold canceled with nothing received -> as answered, and hold_canceled: one charge of
//     the whole cart to the saved card replaces it (or it is left unpaid without one), not a
//     capture of the gone hold first
//   the hold raised to the new amount after all -> succeeded
//   anything else (the hold stands at less, the read refused or unknown for now) -> as
//     answered: a refusal is never held up by a read (the capture of the hold that follows
//     reads the hold itself)
#pragma once

#include <cstdint>
#include <optional>

#include "db/payment_queue.hpp"
#include "ports/payment_gateway.hpp"

namespace passgate::controller {

struct HoldCheckVerdict {
  PaymentOutcome outcome;      // what is recorded for the operation
  bool hold_canceled = false;  // a capture or increment whose hold is gone with nothing received
};

// Whether `outcome` of `op` calls for a read of its hold: a capture or void declined or
// refused (a final failure that is not unverified); an increment whose answer was lost after
// it was written (unknown, at least one send), or that was declined or refused.
[[nodiscard]] bool needs_hold_check(const db::PaymentOpRecord& op, const PaymentOutcome& outcome);
// When the read was made, and until when a hold still standing is read again.
struct HoldWatch {
  std::int64_t now_ms = 0;
  std::optional<std::int64_t> capture_before_s;  // the hold's, as the terminal said; none: not known
  std::int64_t held_at_ms = 0;                   // when the hold was placed (this box's clock); 0: not known
};
// The longest a capture refused while its hold still stands is read again: after its own first
// attempt (the bound whatever capture_before says), and after the hold was placed when its
// capture_before is not known. A card hold lasts days (Stripe: up to 7), not more.
inline constexpr std::int64_t kHoldWatchMaxS = 8 * 24 * 3600;
// When (Unix ms, this box's clock) `op`, a capture refused while its hold still reads
// requires_capture, is no longer read again (HoldWatch, kHoldWatchMaxS). No overflow whatever
// capture_before is.
[[nodiscard]] std::int64_t hold_watch_end_ms(const db::PaymentOpRecord& op, const HoldWatch& watch);

// The verdict on `op`, answered `failed`, from `read`, the hold's PaymentIntent read since.
[[nodiscard]] HoldCheckVerdict hold_check_verdict(const db::PaymentOpRecord& op, const PaymentOutcome& failed,
                                                  const PaymentOutcome& read, const HoldWatch& watch = {});

}  // namespace passgate::controller
