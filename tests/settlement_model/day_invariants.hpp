// The invariants a store day must keep, checked against the gateway's ledger and the gate's
// database, with the reference model saying what is owed.
// After every step:
//   - collected within the cart: no session is collected (captured + charged at the ledger)
//     more than its first final cart, nor anything once the gate denied or cancelled it;
//   - one charge per idempotency key: no key created more than one approved PaymentIntent;
//   - one charge per operation across its new attempts: of a charge's key and the keys of the
//     operator's new attempts at it ("<key>:retry<n>"), at most one collected;
//   - no operation lost: every queued operation is in a known state, every operation a
//     settlement planned exists, every hold asked for at entry is queued.
// At the end, once faults stopped and time ran on until the gate was quiet:
//   - the queue drains: nothing in flight, nothing pending but what waits for a dead letter;
//   - every cart collected or dead-lettered: the ledger collected the cart's total, or the
//     dead-letter list names the session's charges and captures for the rest (those whose
//     answer was a lie count as collected: the ledger executed them), unless the operator
//     wrote one of them off;
//   - no hold left open after the session ended (unless its charge's answer was a lie that
//     still waits for the operator);
//   - no hold released while its cart is unpaid (unless its amount was never known, or the
//     operator wrote the cart's charge off).
// Card sessions keep these too (their tap hold counts as a hold), and those of
// card_invariants.hpp, checked with them; store days those of store_invariants.hpp. A cart held
// in the quarantine for a reason the model knows (double_use, over_limit) is one the operator
// sees: neither lost nor owed, and its hold stays in place.
// The day runner adds those it sees as they happen (day_runner.cpp): an operator retry of a
// settled session's preauth is refused; an operator's retry of a declined charge is a new
// attempt under the key "<its first key>:retry<n+1>" (the declined one replaced by it), of
// anything else the operation itself pending again under its own key; nothing is sent for a
// session while its charge's unverified answer waits for the operator; a card hold's read is
// believed iff the capture_before it says is one a hold can have (or none); and those of
// store_steps.hpp (the operator's charge-cart, queue retry of a double use's charge).
#pragma once

#include <optional>
#include <string>

#include "tests/settlement_model/gate_process.hpp"
#include "tests/settlement_model/gateway_side.hpp"
#include "tests/settlement_model/shop_model.hpp"

namespace passgate::model {

struct Violation {
  std::string invariant;  // its name, as above
  std::string detail;     // which session or operation, with the figures
};

// What the checks look at.
struct DayEvidence {
  ShopModel& shop;
  const GatewaySide& gateway;
  GateProcess& gate;
};

[[nodiscard]] std::optional<Violation> check_every_step(const DayEvidence& day);
[[nodiscard]] std::optional<Violation> check_day_end(const DayEvidence& day);
// Whether nothing is left to do: the feed is read, no session awaits its hold's answer, and no
// operation is in flight or pending but one waiting for a dead letter.
[[nodiscard]] bool quiet(const DayEvidence& day);

}  // namespace passgate::model
