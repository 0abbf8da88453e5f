// Gateway answers the drainer tests give by hand, beyond FakeGateway's approval() and
// outcome(): a 429 or 409 with Retry-After, a search result, a PaymentIntent as found.
#pragma once

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "controller/payment_gateway.hpp"
#include "tests/support/fake_gateway.hpp"

namespace passgate::test {

inline controller::PaymentOutcome retry_later(int http_status, std::chrono::milliseconds retry_after) {
  controller::PaymentOutcome o = FakeGateway::outcome(controller::PaymentOutcomeKind::retry_later, http_status);
  o.retry_after = retry_after;
  return o;
}

inline controller::PaymentIntentView found_intent(const std::string& id, const std::string& session_id,
                                                  const std::string& op, const std::string& status) {
  controller::PaymentIntentView intent;
  intent.id = id;
  intent.status = status;
  intent.currency = "usd";
  intent.session_id = session_id;
  intent.op = op;
  return intent;
}

inline controller::PaymentOutcome search_result(std::vector<controller::PaymentIntentView> found) {
  controller::PaymentOutcome o = FakeGateway::outcome(controller::PaymentOutcomeKind::succeeded, 200);
  o.found = std::move(found);
  return o;
}

}  // namespace passgate::test
