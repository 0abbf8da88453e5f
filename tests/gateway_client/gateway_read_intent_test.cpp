// What GatewayClient::read_intent sends and accepts: GET /v1/payment_intents/{id} (not the
// search, whose index may lag behind a hold just cancelled), its answer checked as every answer
// is: the id asked for, a PaymentIntent of the session, a currency code and amounts that fit;
// anything else is unverified, a 404 rejected, a 5xx or an unreadable body unknown.
#include <catch2/catch.hpp>

#include "tests/gateway_client/gateway_fixture.hpp"

using Catch::Matchers::Contains;
using namespace passgate;
using namespace passgate::test;

namespace {

nlohmann::json hold(const std::string& status, std::int64_t received) {
  auto intent = honest_intent(payment_request(PaymentOpKind::capture));
  intent["status"] = status;
  intent["amount_received"] = received;
  return intent;
}

}  // namespace

TEST_CASE("read_intent: GET /v1/payment_intents/{id}, the hold as it stands") {
  ScriptedGateway gateway;
  gateway.will_answer(200, hold("canceled", 0).dump());
  auto client = gateway.client();
  const PaymentOutcome outcome = gateway.read(*client, kSessionId, kHoldId);
  REQUIRE(gateway.calls.size() == 1);
  CHECK(gateway.calls[0].method == "GET");
  CHECK(gateway.calls[0].target == "/v1/payment_intents/" + kHoldId);
  CHECK(gateway.calls[0].header("Authorization") == "Bearer " + kApiKey);
  CHECK_FALSE(gateway.calls[0].header("Idempotency-Key"));
  CHECK(outcome.kind == PaymentOutcomeKind::succeeded);
  REQUIRE(outcome.intent);
  CHECK(outcome.intent->id == kHoldId);
  CHECK(outcome.intent->status == "canceled");
  CHECK(outcome.intent->amount == 1500);
  CHECK(gateway.script_used_up());
}

TEST_CASE("read_intent: another PaymentIntent, session, or amounts that do not fit are unverified, never an id shown") {
  struct Row {
    const char* field;
    nlohmann::json value;
    const char* named;
  };
  const Row row = GENERATE(Row{"id", "pi_3SomeOtherIntent", "id: not the PaymentIntent asked for"},
                           Row{"currency", "euro", "currency: expected a 3-letter ISO 4217 code"},
                           Row{"amount_received", 1501, "amount_received: expected 0 to amount (1500), got 1501"},
                           Row{"amount_capturable", -1, "amount_capturable: expected 0 to amount (1500), got -1"});
  ScriptedGateway gateway;
  auto intent = hold("succeeded", 1200);
  intent[row.field] = row.value;
  gateway.will_answer(200, intent.dump());
  auto client = gateway.client();
  const PaymentOutcome outcome = gateway.read(*client, kSessionId, kHoldId);
  INFO(row.field);
  CHECK(outcome.kind == PaymentOutcomeKind::unverified);
  CHECK_THAT(outcome.error, Contains(row.named));
  CHECK_THAT(outcome.error, !Contains("pi_3"));
}

TEST_CASE("read_intent: a PaymentIntent without this session's metadata is unverified") {
  ScriptedGateway gateway;
  auto intent = hold("requires_capture", 0);
  intent["metadata"].erase("session_id");
  gateway.will_answer(200, intent.dump());
  auto client = gateway.client();
  const PaymentOutcome outcome = gateway.read(*client, kSessionId, kHoldId);
  CHECK(outcome.kind == PaymentOutcomeKind::unverified);
  CHECK_THAT(outcome.error, Contains("metadata[session_id]: expected " + kSessionId + ", got nothing"));
}

TEST_CASE("read_intent: a 404 is rejected, a 5xx or an unreadable answer unknown, a bad id never sent") {
  ScriptedGateway gateway;
  gateway.will_answer(404, error_json("invalid_request_error", "resource_missing", "",
                                      "No such payment_intent: '" + kHoldId + "'"));
  gateway.will_answer(503, "busy");
  gateway.will_answer(200, R"({"id":")" + kHoldId + R"("})");
  auto client = gateway.client();
  const PaymentOutcome missing = gateway.read(*client, kSessionId, kHoldId);
  CHECK(missing.kind == PaymentOutcomeKind::rejected);
  CHECK_THAT(missing.error, !Contains(kHoldId));
  CHECK(gateway.read(*client, kSessionId, kHoldId).kind == PaymentOutcomeKind::unknown);
  const PaymentOutcome unreadable = gateway.read(*client, kSessionId, kHoldId);
  CHECK(unreadable.kind == PaymentOutcomeKind::unknown);
  CHECK_THAT(unreadable.error, Contains("unreadable PaymentIntent"));
  CHECK(gateway.read(*client, kSessionId, "pi 1").kind == PaymentOutcomeKind::rejected);
  CHECK(gateway.read(*client, kSessionId, "").kind == PaymentOutcomeKind::rejected);
  CHECK(gateway.calls.size() == 3);
  CHECK(gateway.script_used_up());
}
