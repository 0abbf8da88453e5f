// Gateway answers the drainer tests give by hand, beyond FakeGateway's approval() and
// outcome(): a 429 or 409 with Retry-After, a search result, a PaymentIntent as found.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "ports/payment_gateway.hpp"
#include "tests/support/fake_gateway.hpp"

namespace passgate::test {

inline passgate::PaymentOutcome retry_later(int http_status, std::optional<std::chrono::milliseconds> retry_after) {
  passgate::PaymentOutcome o = FakeGateway::outcome(passgate::PaymentOutcomeKind::retry_later, http_status);
  o.retry_after = retry_after;
  return o;
}

// A PaymentIntent of `amount` USD cents, its other amounts as `status` implies; its metadata[op_key]
// that of the session's first operation of kind `op` (set op_key for another).
inline passgate::PaymentIntentView found_intent(const std::string& id, const std::string& session_id,
                                                  const std::string& op, const std::string& status,
                                                  std::int64_t amount = 1234) {
  passgate::PaymentIntentView intent;
  intent.id = id;
  intent.status = status;
  intent.amount = amount;
  intent.amount_capturable = status == "requires_capture" ? amount : 0;
  intent.amount_received = status == "succeeded" ? amount : 0;
  intent.currency = "usd";
  intent.session_id = session_id;
  intent.op = op;
  intent.op_key = op;  // the session's first operation of its kind ("<session_id>:<op>")
  return intent;
}

inline passgate::PaymentOutcome search_result(std::vector<passgate::PaymentIntentView> found) {
  passgate::PaymentOutcome o = FakeGateway::outcome(passgate::PaymentOutcomeKind::succeeded, 200);
  o.found = std::move(found);
  return o;
}

}  // namespace passgate::test
