// How GatewayClient classifies the gateway's answers (docs/interfaces/payment-gateway.md#answers-and-errors):
// one test per row of the table, through a real loopback exchange.
#include <catch2/catch.hpp>

#include "drivers/gateway_response.hpp"
#include "tests/gateway_client/gateway_fixture.hpp"

using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;
using namespace passgate;
using namespace passgate::test;

TEST_CASE("200 with the status each operation must reach is succeeded, with the intent") {
  for (const auto& [op, status] : {std::pair{PaymentOpKind::preauth, "requires_capture"},
                                   std::pair{PaymentOpKind::charge, "succeeded"},
                                   std::pair{PaymentOpKind::capture, "succeeded"},
                                   std::pair{PaymentOpKind::void_hold, "canceled"},
                                   std::pair{PaymentOpKind::increment, "requires_capture"}}) {
    INFO(to_string(op));
    ScriptedGateway gateway;
    const PaymentOutcome outcome = gateway.outcome_of(200, honest_intent_json(op), op);
    CHECK(outcome.kind == PaymentOutcomeKind::succeeded);
    CHECK(outcome.sends == 1);
    REQUIRE(outcome.intent);
    CHECK(outcome.intent->status == status);
  }
}

TEST_CASE("200 with another status is unverified, keeping the intent, never naming it") {
  ScriptedGateway gateway;
  SECTION("a charge that needs the shopper's action") {
    const PaymentOutcome outcome = gateway.outcome_of(200, intent_json("pi_9", "requires_action"));
    CHECK(outcome.kind == PaymentOutcomeKind::unverified);
    CHECK(outcome.http_status == 200);
    CHECK(outcome.error ==
          "the PaymentIntent in the HTTP 200 answer is not the outcome of this charge: status: expected succeeded, got "
          "requires_action; money may have moved: a person must check the payment at the gateway, then retry or "
          "write off the operation");
    REQUIRE(outcome.intent);
    CHECK(outcome.intent->id == "pi_9");
  }
  SECTION("a hold that was captured at once") {
    auto intent = honest_intent(payment_request(PaymentOpKind::preauth));
    intent["status"] = "succeeded";
    const PaymentOutcome outcome = gateway.outcome_of(200, intent.dump(), PaymentOpKind::preauth);
    CHECK(outcome.kind == PaymentOutcomeKind::unverified);
    CHECK_THAT(outcome.error, Contains("status: expected requires_capture, got succeeded"));
  }
}

TEST_CASE("an unreadable 200 is unverified: the gateway may have executed it, a person must look") {
  const auto [body, why] = GENERATE(table<std::string, std::string>({
      {"<html>ok</html>", "not JSON"},
      {"", "not JSON"},
      {R"(["pi_1"])", "not a JSON object"},
      {R"({"object":"payment_intent","status":"succeeded"})", "no \"id\""},
      {R"({"id":"pi_1","object":"payment_intent"})", "no \"status\""},
      {R"({"id":"pi_1","object":"refund","status":"succeeded"})", "not a payment_intent"},
      {R"({"id":"pi_1","status":"succeeded","amount":"15.00"})", "non-integer \"amount\""},
      {R"({"id":"pi_1","status":"succeeded","amount_capturable":0,"amount_received":1500,"currency":"usd"})",
       "no \"amount\""},
      {R"({"id":"pi_1","status":"succeeded","amount":1500,"amount_capturable":0,"currency":"usd"})",
       "no \"amount_received\""},
      {R"({"id":"pi_1","status":"succeeded","amount":1500,"amount_capturable":0,"amount_received":1500})",
       "no \"currency\""},
  }));
  INFO(body);
  ScriptedGateway gateway;
  const PaymentOutcome outcome = gateway.outcome_of(200, body);
  CHECK(outcome.kind == PaymentOutcomeKind::unverified);
  CHECK(outcome.http_status == 200);
  CHECK_FALSE(outcome.intent);
  CHECK_THAT(outcome.error, StartsWith("unreadable PaymentIntent in an HTTP 200 response") && Contains(why) &&
                                Contains("money may have moved: a person must check"));
}

TEST_CASE("402 card_error is declined, with the decline code (or the error code when there is none)") {
  ScriptedGateway gateway;
  SECTION("insufficient funds") {
    const PaymentOutcome outcome = gateway.outcome_of(
        402, error_json("card_error", "card_declined", "insufficient_funds", "Your card has insufficient funds."));
    CHECK(outcome.kind == PaymentOutcomeKind::declined);
    CHECK(outcome.http_status == 402);
    CHECK(outcome.decline_code == "insufficient_funds");
    CHECK(outcome.error ==
          "HTTP 402 type=card_error code=card_declined decline_code=insufficient_funds: Your card has insufficient funds.");
  }
  SECTION("a plain card_declined") {
    const PaymentOutcome outcome =
        gateway.outcome_of(402, error_json("card_error", "card_declined", "", "Your card was declined."));
    CHECK(outcome.kind == PaymentOutcomeKind::declined);
    CHECK(outcome.decline_code == "card_declined");
  }
  SECTION("a 402 that is not a card error is unverified, not declined") {
    const PaymentOutcome outcome = gateway.outcome_of(402, R"({"message":"payment required"})");
    CHECK(outcome.kind == PaymentOutcomeKind::unverified);
    CHECK(outcome.decline_code.empty());
  }
}

TEST_CASE("400 idempotency_error, other 400, 401, 403 and 404 are rejected with the gateway's type, code and message") {
  struct Row {
    int status;
    std::string body;
    std::string error;
  };
  const auto row = GENERATE(values<Row>({
      {400, error_json("idempotency_error", "", "", "Keys for idempotent requests can only be used with the same parameters."),
       "HTTP 400 type=idempotency_error: Keys for idempotent requests can only be used with the same parameters."},
      {400, error_json("invalid_request_error", "parameter_missing", "", "Missing required param: amount."),
       "HTTP 400 type=invalid_request_error code=parameter_missing: Missing required param: amount."},
      {401, error_json("invalid_request_error", "", "", "Invalid API Key provided."),
       "HTTP 401 type=invalid_request_error: Invalid API Key provided."},
      {403, error_json("invalid_request_error", "secret_key_required", "", "This key is restricted."),
       "HTTP 403 type=invalid_request_error code=secret_key_required: This key is restricted."},
      {404, error_json("invalid_request_error", "resource_missing", "", "No such payment_intent: 'pi_404'"),
       "HTTP 404 type=invalid_request_error code=resource_missing: No such payment_intent: 'pi_404'"},
      {404, "<html>Not Found</html>", "HTTP 404 without a gateway error object: <html>Not Found</html>"},
      {404, "", "HTTP 404 with an empty body"},
  }));
  INFO(row.error);
  ScriptedGateway gateway;
  const PaymentOutcome outcome = gateway.outcome_of(row.status, row.body, PaymentOpKind::capture);
  CHECK(outcome.kind == PaymentOutcomeKind::rejected);
  CHECK(outcome.http_status == row.status);
  CHECK(outcome.error == row.error);
  CHECK_FALSE(outcome.intent);
}

TEST_CASE("409 (same key in progress) and 429 (rate limited) are retry_later") {
  ScriptedGateway gateway;
  SECTION("409") {
    const PaymentOutcome outcome = gateway.outcome_of(
        409, error_json("idempotency_error", "", "", "There is currently another in-progress request using this key."));
    CHECK(outcome.kind == PaymentOutcomeKind::retry_later);
    CHECK(outcome.http_status == 409);
    CHECK_FALSE(outcome.retry_after);
    CHECK_THAT(outcome.error, Contains("another in-progress request"));
  }
  SECTION("429 with Retry-After in seconds") {
    gateway.will_answer(answer_with_headers(429, error_json("rate_limit_error", "", "", "Too many requests."),
                                            {{"Retry-After", "7"}}));
    auto client = gateway.client();
    const PaymentOutcome outcome = gateway.execute(*client, payment_request(PaymentOpKind::charge));
    CHECK(outcome.kind == PaymentOutcomeKind::retry_later);
    CHECK(outcome.http_status == 429);
    REQUIRE(outcome.retry_after);
    CHECK(*outcome.retry_after == std::chrono::seconds(7));
  }
  SECTION("429 with Retry-After as an HTTP-date in the past: no wait") {
    gateway.will_answer(answer_with_headers(429, "{}", {{"Retry-After", "Sun, 06 Nov 1994 08:49:37 GMT"}}));
    auto client = gateway.client();
    const PaymentOutcome outcome = gateway.execute(*client, payment_request(PaymentOpKind::charge));
    CHECK(outcome.kind == PaymentOutcomeKind::retry_later);
    CHECK(outcome.retry_after == std::chrono::milliseconds(0));
  }
  SECTION("429 with a Retry-After that cannot be read: none") {
    gateway.will_answer(answer_with_headers(429, "{}", {{"Retry-After", "soon"}}));
    auto client = gateway.client();
    const PaymentOutcome outcome = gateway.execute(*client, payment_request(PaymentOpKind::charge));
    CHECK(outcome.kind == PaymentOutcomeKind::retry_later);
    CHECK_FALSE(outcome.retry_after);
  }
}

TEST_CASE("5xx is unknown: the gateway may have executed it") {
  const int status = GENERATE(500, 502, 503, 504);
  INFO(status);
  ScriptedGateway gateway;
  const PaymentOutcome outcome = gateway.outcome_of(status, error_json("api_error", "", "", "Something went wrong."));
  CHECK(outcome.kind == PaymentOutcomeKind::unknown);
  CHECK(outcome.http_status == status);
  CHECK(outcome.error == "HTTP " + std::to_string(status) + " type=api_error: Something went wrong.");
}

TEST_CASE("Idempotent-Replayed: true marks the outcome as a replay, whatever its kind") {
  ScriptedGateway gateway;
  gateway.will_answer(answer_with_headers(200, intent_json("pi_1", "succeeded"), {{"Idempotent-Replayed", "true"}}));
  gateway.will_answer(answer_with_headers(402, error_json("card_error", "card_declined", "", "declined"),
                                          {{"idempotent-replayed", "TRUE"}}));
  gateway.will_answer(answer_with_headers(200, intent_json("pi_1", "succeeded"), {{"Idempotent-Replayed", "false"}}));
  auto client = gateway.client();
  const auto request = payment_request(PaymentOpKind::charge);

  const PaymentOutcome first = gateway.execute(*client, request);
  CHECK(first.kind == PaymentOutcomeKind::succeeded);
  CHECK(first.replayed);
  const PaymentOutcome second = gateway.execute(*client, request);
  CHECK(second.kind == PaymentOutcomeKind::declined);
  CHECK(second.replayed);
  const PaymentOutcome third = gateway.execute(*client, request);
  CHECK_FALSE(third.replayed);
  CHECK(gateway.script_used_up());
}

TEST_CASE("the gateway's texts are cut to a bounded length and stripped of control characters") {
  ScriptedGateway gateway;
  const std::string long_message(5000, 'm');
  const PaymentOutcome outcome = gateway.outcome_of(
      400, error_json("invalid_request_error\\u001b[31m", std::string(500, 'c'), "", "line one\\nline two " + long_message));
  CHECK(outcome.kind == PaymentOutcomeKind::rejected);
  CHECK(outcome.error.size() < 400);
  CHECK_THAT(outcome.error, Contains("type=invalid_request_error [31m") && Contains("line one line two mmm") &&
                                Contains("..."));
  CHECK(outcome.error.find('\n') == std::string::npos);
  CHECK(outcome.error.find('\x1b') == std::string::npos);
}

TEST_CASE("search: errors as in the table, an unreadable result is unknown") {
  ScriptedGateway gateway;
  auto client = gateway.client();
  SECTION("5xx") {
    gateway.will_answer(503, error_json("api_error", "", "", "down"));
    CHECK(gateway.search(*client, kSessionId).kind == PaymentOutcomeKind::unknown);
  }
  SECTION("429") {
    gateway.will_answer(answer_with_headers(429, "{}", {{"Retry-After", "2"}}));
    const PaymentOutcome outcome = gateway.search(*client, kSessionId);
    CHECK(outcome.kind == PaymentOutcomeKind::retry_later);
    CHECK(outcome.retry_after == std::chrono::seconds(2));
  }
  SECTION("401") {
    gateway.will_answer(401, error_json("invalid_request_error", "", "", "Invalid API Key provided."));
    CHECK(gateway.search(*client, kSessionId).kind == PaymentOutcomeKind::rejected);
  }
  SECTION("not a search result") {
    gateway.will_answer(200, intent_json("pi_1", "succeeded"));
    const PaymentOutcome outcome = gateway.search(*client, kSessionId);
    CHECK(outcome.kind == PaymentOutcomeKind::unknown);
    CHECK_THAT(outcome.error, Contains("not a search_result"));
  }
  SECTION("a match that is not a PaymentIntent") {
    gateway.will_answer(200, R"({"object":"search_result","data":[)" + intent_json("pi_1", "succeeded") + R"(,{"id":"pi_2"}]})");
    const PaymentOutcome outcome = gateway.search(*client, kSessionId);
    CHECK(outcome.kind == PaymentOutcomeKind::unknown);
    CHECK(outcome.found.empty());
    CHECK_THAT(outcome.error, Contains("data[1] has no \"status\""));
  }
}
