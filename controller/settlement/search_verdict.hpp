// What a search of the gateway (by the session, before resending an operation whose first
// attempt is older than the gateway keeps idempotency keys) says about that operation. Only
// the state that means the operation happened is adopted as its success:
//   | op        | adopted as succeeded  | not done yet: send | declined                | poll       |
//   |-----------|-----------------------|--------------------|-------------------------|------------|
//   | preauth   | requires_capture      | none found         | requires_payment_method | processing |
//   | charge    | succeeded             | none found         | requires_payment_method | processing |
//   | capture   | succeeded (the hold)  | requires_capture,  |                         | processing |
//   |           |                       | none found         |                         |            |
//   | void      | canceled (the hold)   | requires_capture,  |                         | processing |
//   |           |                       | none found         |                         |            |
//   | increment | requires_capture (the | requires_capture   |                         | processing |
//   |           | hold) with at least   | with less, none    |                         |            |
//   |           | its amount capturable | found              |                         |            |
// Anything else (a preauth already captured or canceled, a charge canceled, a hold captured
// when it was to be voided or canceled when it was to be captured or raised, a state the
// contract does not name) is unverified: a person must look (the drainer follows up a card
// hold found canceled under a capture or an increment as a hold gone). A created operation (preauth, charge) is
// found among the session's PaymentIntents of its kind by metadata[op_key], the operation's
// part of its key ("charge", "charge:capture", "charge:remainder", ...; PaymentRequest::op_key):
// a session's charges are told apart by it, whatever their amounts. A found decline must be of
// the operation's amount and currency, and an adopted intent must still match the operation as
// an answer would (ports/payment_intent_match.hpp), else unverified. An operation first sent
// without op_key (by an older version) is matched among the intents without one: a preauth
// (one per session) as before; a charge as well when it is the session's only charge first
// sent so and the search finds exactly one charge without op_key (it can only be its own, e.g.
// an app session's one charge in flight across the upgrade); otherwise a charge found so
// cannot be told from the session's other charges, so it is unverified (never adopted,
// declined or sent again blindly). Pure functions.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "ports/payment_gateway.hpp"

namespace passgate::controller {

struct SearchVerdict {
  enum class Kind { send, adopt, declined, poll, unverified };
  Kind kind = Kind::send;
  std::optional<PaymentIntentView> intent;  // adopt, declined, unverified: the one found
  std::string reason;                       // unverified, poll: why, for the log and the dead letter
};

// `legacy_charges`: for a charge first sent without op_key, how many of its session's charges
// were first sent so (it included); 0 if not known.
[[nodiscard]] SearchVerdict search_verdict(const PaymentRequest& request, const std::vector<PaymentIntentView>& found,
                                           int legacy_charges = 0);

}  // namespace passgate::controller
