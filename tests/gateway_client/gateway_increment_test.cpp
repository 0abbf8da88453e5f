// The increment (a card hold raised to the cart's total before its capture): what
// GatewayClient sends (POST /v1/payment_intents/{id}/increment_authorization with the new
// amount and the key "<session_id>:increment") and how it reads the answers the contract
// names for it: 200 with the raised hold, 402 declined, 400 incremental_authorization_not_supported
// or a hold no longer requires_capture refused, 5xx unknown. Through a real loopback exchange.
#include <catch2/catch.hpp>

#include "tests/gateway_client/gateway_fixture.hpp"

using Catch::Matchers::Contains;
using namespace passgate;
using namespace passgate::test;

TEST_CASE("increment: POST /v1/payment_intents/{id}/increment_authorization with the new amount, no metadata") {
  ScriptedGateway gateway;
  gateway.will_answer(200, honest_intent_json(PaymentOpKind::increment));
  gateway.will_answer(answer_with_headers(200, honest_intent_json(PaymentOpKind::increment), {{"Idempotent-Replayed", "true"}}));
  auto client = gateway.client();
  const auto request = payment_request(PaymentOpKind::increment);
  const PaymentOutcome first = gateway.execute(*client, request);
  const PaymentOutcome again = gateway.execute(*client, request);

  REQUIRE(gateway.calls.size() == 2);
  for (const auto& call : gateway.calls) {
    CHECK(call.method == "POST");
    CHECK(call.target == "/v1/payment_intents/" + kHoldId + "/increment_authorization");
    CHECK(call.header("Idempotency-Key") == kSessionId + ":increment");
    CHECK(call.header("Content-Type") == "application/x-www-form-urlencoded");
    CHECK(call.body == "amount=2000");
  }
  CHECK(first.kind == PaymentOutcomeKind::succeeded);
  REQUIRE(first.intent);
  CHECK(first.intent->amount_capturable == 2000);
  CHECK(first.intent->status == "requires_capture");
  CHECK(again.kind == PaymentOutcomeKind::succeeded);
  CHECK(again.replayed);
}

TEST_CASE("increment: 402 is declined, 400 not supported or a hold not requires_capture is rejected, 5xx unknown") {
  ScriptedGateway gateway;
  SECTION("the issuer declines the higher amount") {
    const PaymentOutcome outcome = gateway.outcome_of(
        402, error_json("card_error", "card_declined", "insufficient_funds", "Your card has insufficient funds."),
        PaymentOpKind::increment);
    CHECK(outcome.kind == PaymentOutcomeKind::declined);
    CHECK(outcome.decline_code == "insufficient_funds");
  }
  SECTION("the card does not support incremental authorization") {
    const PaymentOutcome outcome =
        gateway.outcome_of(400,
                           error_json("invalid_request_error", "incremental_authorization_not_supported", "",
                                      "This PaymentIntent's authorization does not support incremental authorization"),
                           PaymentOpKind::increment);
    CHECK(outcome.kind == PaymentOutcomeKind::rejected);
    CHECK_THAT(outcome.error, Contains("code=incremental_authorization_not_supported"));
    CHECK(outcome.error_code == "incremental_authorization_not_supported");  // what the drainer matches
  }
  SECTION("the hold is no longer requires_capture") {
    const PaymentOutcome outcome = gateway.outcome_of(
        400, error_json("invalid_request_error", "payment_intent_unexpected_state", "", "This PaymentIntent's status is canceled"),
        PaymentOpKind::increment);
    CHECK(outcome.kind == PaymentOutcomeKind::rejected);
    CHECK(outcome.error_code == "payment_intent_unexpected_state");
  }
  SECTION("a bad key (401): refused, its code (none) never one the increment's follow-up names") {
    const PaymentOutcome outcome = gateway.outcome_of(
        401, error_json("invalid_request_error", "", "", "Invalid API Key provided"), PaymentOpKind::increment);
    CHECK(outcome.kind == PaymentOutcomeKind::rejected);
    CHECK(outcome.error_code.empty());
  }
  SECTION("a 5xx: it may have been applied") {
    const PaymentOutcome outcome = gateway.outcome_of(503, "", PaymentOpKind::increment);
    CHECK(outcome.kind == PaymentOutcomeKind::unknown);
  }
}

TEST_CASE("increment: an incomplete request (no hold, no positive amount) is rejected, never sent") {
  ScriptedGateway gateway;
  auto client = gateway.client();
  auto no_hold = payment_request(PaymentOpKind::increment);
  no_hold.intent_id.clear();
  auto no_amount = payment_request(PaymentOpKind::increment);
  no_amount.amount_minor = 0;
  const PaymentOutcome without_hold = gateway.execute(*client, no_hold);
  const PaymentOutcome without_amount = gateway.execute(*client, no_amount);
  CHECK(without_hold.kind == PaymentOutcomeKind::rejected);
  CHECK_THAT(without_hold.error, Contains("increment request: intent_id"));
  CHECK(without_amount.kind == PaymentOutcomeKind::rejected);
  CHECK_THAT(without_amount.error, Contains("amount_minor must be positive"));
  CHECK(gateway.calls.empty());
}
