// The API key, the customer, the payment method, the PaymentIntent id and the idempotency
// key never appear in an outcome's texts, whatever the gateway echoes back and however the
// request fails (docs/interfaces/payment-gateway.md#transport; issue 3: no payment references
// in logs).
#include <catch2/catch.hpp>

#include "drivers/gateway_response.hpp"
#include "tests/gateway_client/gateway_fixture.hpp"

using Catch::Matchers::Contains;
using namespace passgate;
using namespace passgate::test;

namespace {

void check_no_secret(const PaymentOutcome& outcome) {
  for (const std::string* secret : {&kApiKey, &kCustomer, &kPaymentMethod}) {
    INFO(outcome.error);
    CHECK_THAT(outcome.error, !Contains(*secret));
    CHECK_THAT(outcome.decline_code, !Contains(*secret));
    // Not even the start of one, cut by the length bound.
    CHECK_THAT(outcome.error, !Contains(secret->substr(0, 8)));
  }
}

const std::string kEcho = kApiKey + " " + kCustomer + " " + kPaymentMethod;

}  // namespace

TEST_CASE("secrets the gateway echoes in its error replies are redacted") {
  const auto [status, body] = GENERATE(table<int, std::string>({
      {402, error_json("card_error", kCustomer, kPaymentMethod, "Card " + kPaymentMethod + " of " + kCustomer + " declined")},
      {400, error_json("invalid_request_error", "", "", "Invalid API Key provided: " + kApiKey)},
      {404, error_json("invalid_request_error", "resource_missing", "", "No such PaymentMethod: '" + kPaymentMethod + "'")},
      {401, error_json(kApiKey, kCustomer, "", kEcho)},
      {409, error_json("idempotency_error", "", "", kEcho)},
      {429, error_json("rate_limit_error", "", "", kEcho)},
      {500, "<html>" + kEcho + "</html>"},
      {404, "no such customer " + kCustomer},
      {200, R"({"id":")" + kCustomer + R"(","object":"payment_intent","status":")" + kPaymentMethod + R"("})"},
      {200, R"({"id":")" + kCustomer + R"(","object":"payment_intent","amount":")" + kApiKey + R"("})"},
      {400, error_json("invalid_request_error", "", "", std::string(drivers::kMaxGatewayMessage, 'x') + kPaymentMethod)},
      {400, error_json("invalid_request_error", "", "", std::string(drivers::kMaxGatewayMessage - 4, 'x') + kCustomer)},
  }));
  INFO(status << " " << body);
  ScriptedGateway gateway;
  const PaymentOutcome outcome = gateway.outcome_of(status, body);
  CHECK(outcome.http_status == status);
  CHECK_FALSE(outcome.error.empty());
  check_no_secret(outcome);
}

TEST_CASE("the gateway's unicode-escaped echo of a secret is redacted once decoded") {
  ScriptedGateway gateway;
  // "\u0070m_" decodes to "pm_".
  const PaymentOutcome outcome = gateway.outcome_of(
      404, error_json("invalid_request_error", "", "", "No such PaymentMethod: \\u0070" + kPaymentMethod.substr(1)));
  CHECK_THAT(outcome.error, Contains("No such PaymentMethod: [redacted]"));
  check_no_secret(outcome);
}

TEST_CASE("the PaymentIntent id and the idempotency key a gateway echoes are redacted too") {
  ScriptedGateway gateway;
  const auto request = payment_request(PaymentOpKind::capture);
  const PaymentOutcome outcome = gateway.outcome_of(
      404,
      error_json("invalid_request_error", "resource_missing", "",
                 "No such payment_intent: '" + kHoldId + "' (key " + request.idempotency_key + ")"),
      PaymentOpKind::capture);
  CHECK_THAT(outcome.error, Contains("No such payment_intent: '[redacted]' (key [redacted])"));
}

TEST_CASE("failures without a response and rejected requests carry no secret either") {
  ScriptedGateway gateway;
  auto client = gateway.client();
  SECTION("time-out") {
    gateway.will_answer(sim::make_answer(200, "{}", std::chrono::minutes(1)));
    check_no_secret(gateway.execute(*client, payment_request(PaymentOpKind::charge), 200ms));
  }
  SECTION("dropped connection") {
    sim::HttpAnswer drop = sim::make_answer(200, "{}");
    drop.drop = true;
    gateway.will_answer(drop);
    check_no_secret(gateway.execute(*client, payment_request(PaymentOpKind::preauth)));
  }
  SECTION("incomplete requests") {
    auto request = payment_request(PaymentOpKind::charge);
    request.currency = "dollars";
    check_no_secret(gateway.execute(*client, request));
    request = payment_request(PaymentOpKind::charge);
    request.amount_minor = -1;
    check_no_secret(gateway.execute(*client, request));
    CHECK(gateway.calls.empty());
  }
}
