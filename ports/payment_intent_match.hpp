// What a PaymentIntent the gateway returned must show to be the outcome of the request that
// was sent (docs/interfaces/payment-gateway.md#how-a-200-is-checked); an answer that differs in any of these is
// no outcome at all (PaymentOutcomeKind::unverified), since a peer is never trusted:
//   | op        | status           | amounts                                     | id         |
//   |-----------|------------------|---------------------------------------------|------------|
//   | preauth   | requires_capture | amount = amount_capturable = the amount     |            |
//   | charge    | succeeded        | amount = amount_received = the amount       |            |
//   | capture   | succeeded        | amount_received = amount_to_capture         | the hold's |
//   | void      | canceled         | amount_received = 0                         | the hold's |
//   | increment | requires_capture | amount = amount_capturable = the new amount | the hold's |
// and for every operation the currency (in any case) and metadata[session_id]; for preauth
// and charge also metadata[op], and metadata[op_key] when the request sent one. An
// increment whose answer was lost is judged from its hold read afterwards
// (increment_on_hold). Pure functions; the gateway client checks every answer, the
// settlement's drainer every read and search.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "ports/payment_gateway.hpp"

namespace passgate {

// How an unverified outcome's error ends: what it means and what to do.
inline constexpr std::string_view kUnverifiedConsequence =
    "money may have moved: a person must check the payment at the gateway, then retry or write off the operation";

// The PaymentIntent status `op` must reach: requires_capture (preauth, increment), succeeded
// (charge, capture), canceled (void).
[[nodiscard]] std::string_view expected_intent_status(PaymentOpKind op);

struct IntentMismatch {
  std::string field;       // "amount", "currency", "metadata[session_id]", "id", ...
  std::string expected;    // what the request asked for
  std::string got;         // what the gateway sent, unchecked; empty: nothing
  bool reference = false;  // a payment reference (the intent id): neither value is ever shown
};

// Every field of `intent` that differs from what `request` asked for, in the order of the
// table (id, status, amounts, currency, session, op); empty when it is the outcome.
[[nodiscard]] std::vector<IntentMismatch> intent_mismatches(const PaymentRequest& request,
                                                            const PaymentIntentView& intent);

// "amount: expected 1009, got 1; currency: expected usd, got jpy", a reference as "id: not
// the PaymentIntent asked for (...)". `shown` makes a value the gateway sent fit for a log
// line and the dead-letter list (secrets redacted, cut short); "nothing" stands for none.
[[nodiscard]] std::string describe_mismatches(const std::vector<IntentMismatch>& mismatches,
                                              const std::function<std::string(std::string_view)>& shown);

// What the hold's PaymentIntent, read (or found by a search) after the answer to increment
// `request` was lost, says of it:
//   applied      requires_capture, amount_capturable >= the new amount: it went through
//   not_applied  requires_capture, amount_capturable below it: send it again, same key
//   hold_gone    canceled with nothing received: the hold lapsed or was cancelled
//   other        anything else, or not the request's hold (id, session or currency differ)
enum class IncrementOnHold { applied, not_applied, hold_gone, other };
[[nodiscard]] IncrementOnHold increment_on_hold(const PaymentRequest& request, const PaymentIntentView& intent);
[[nodiscard]] std::string_view to_string(IncrementOnHold reading);

}  // namespace passgate
