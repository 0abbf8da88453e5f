// Gateway answers must match what was asked: an answer is the operation's outcome only when
// its HTTP status is one the contract names and the PaymentIntent it carries matches the
// request (amount, or amount_received / amount_capturable as the operation implies,
// currency, metadata[session_id], metadata[op] of a created intent, the intent id of a
// capture or void, the status). Anything else is `unverified`, with every differing field
// and both values spelled out (never a PaymentIntent id). Through a real loopback exchange.
#include <catch2/catch.hpp>

#include <functional>

#include "tests/gateway_client/gateway_fixture.hpp"

using Catch::Matchers::Contains;
using namespace passgate;
using namespace passgate::test;
using nlohmann::json;

namespace {

const std::string kOtherSession = "00000000-0000-4000-8000-000000000000";
constexpr const char* kPersonNeeded =
    "money may have moved: a person must check the payment at the gateway, then retry or write off the operation";

struct Lie {
  PaymentOpKind op;
  std::function<void(json&)> change;
  std::string spelled_out;  // the part of the error naming the field and both values
};

}  // namespace

TEST_CASE("an honest answer to each operation is its outcome, and a currency's case does not matter") {
  for (const PaymentOpKind op : {PaymentOpKind::preauth, PaymentOpKind::charge, PaymentOpKind::capture,
                                 PaymentOpKind::void_hold, PaymentOpKind::increment}) {
    INFO(to_string(op));
    ScriptedGateway gateway;
    json intent = honest_intent(payment_request(op));
    intent["currency"] = "USD";
    const PaymentOutcome outcome = gateway.outcome_of(200, intent.dump(), op);
    CHECK(outcome.kind == PaymentOutcomeKind::succeeded);
    CHECK(outcome.error.empty());
  }
}

TEST_CASE("a PaymentIntent that does not match the request is unverified, the mismatch spelled out") {
  const auto lie = GENERATE(values<Lie>({
      // The three answers to a charge once recorded as paid (with 1500 for 1009 here).
      {PaymentOpKind::charge, [](json& i) { i["amount"] = 1; }, "amount: expected 1500, got 1"},
      {PaymentOpKind::charge, [](json& i) { i["currency"] = "jpy"; }, "currency: expected usd, got jpy"},
      {PaymentOpKind::charge, [](json& i) { i["amount_received"] = 1; }, "amount_received: expected 1500, got 1"},
      {PaymentOpKind::charge, [](json& i) { i["metadata"]["session_id"] = kOtherSession; },
       "metadata[session_id]: expected " + kSessionId + ", got " + kOtherSession},
      {PaymentOpKind::charge, [](json& i) { i.erase("metadata"); },
       "metadata[session_id]: expected " + kSessionId + ", got nothing"},
      {PaymentOpKind::charge, [](json& i) { i["metadata"]["op"] = "preauth"; },
       "metadata[op]: expected charge, got preauth"},
      {PaymentOpKind::charge, [](json& i) { i["status"] = "processing"; }, "status: expected succeeded, got processing"},
      {PaymentOpKind::preauth, [](json& i) { i["amount"] = 1; }, "amount: expected 1500, got 1"},
      {PaymentOpKind::preauth, [](json& i) { i["amount_capturable"] = 0; }, "amount_capturable: expected 1500, got 0"},
      {PaymentOpKind::preauth, [](json& i) { i["currency"] = "eur"; }, "currency: expected usd, got eur"},
      {PaymentOpKind::preauth, [](json& i) { i["metadata"]["session_id"] = kOtherSession; },
       "metadata[session_id]: expected " + kSessionId},
      {PaymentOpKind::preauth, [](json& i) { i["status"] = "succeeded"; },
       "status: expected requires_capture, got succeeded"},
      {PaymentOpKind::capture, [](json& i) { i["id"] = "pi_3SomeoneElse"; },
       "id: not the PaymentIntent asked for (ids are payment references, not shown)"},
      {PaymentOpKind::capture, [](json& i) { i["amount_received"] = 1500; }, "amount_received: expected 1200, got 1500"},
      {PaymentOpKind::capture, [](json& i) { i["currency"] = "jpy"; }, "currency: expected usd, got jpy"},
      {PaymentOpKind::capture, [](json& i) { i["metadata"]["session_id"] = kOtherSession; },
       "metadata[session_id]: expected " + kSessionId},
      {PaymentOpKind::capture, [](json& i) { i["status"] = "requires_capture"; },
       "status: expected succeeded, got requires_capture"},
      {PaymentOpKind::void_hold, [](json& i) { i["id"] = "pi_3SomeoneElse"; }, "id: not the PaymentIntent asked for"},
      {PaymentOpKind::void_hold, [](json& i) { i["amount_received"] = 1500; }, "amount_received: expected 0, got 1500"},
      {PaymentOpKind::void_hold, [](json& i) { i["currency"] = "jpy"; }, "currency: expected usd, got jpy"},
      {PaymentOpKind::void_hold, [](json& i) { i["metadata"]["session_id"] = kOtherSession; },
       "metadata[session_id]: expected " + kSessionId},
      {PaymentOpKind::void_hold, [](json& i) { i["status"] = "succeeded"; }, "status: expected canceled, got succeeded"},
      {PaymentOpKind::increment, [](json& i) { i["id"] = "pi_3SomeoneElse"; }, "id: not the PaymentIntent asked for"},
      {PaymentOpKind::increment, [](json& i) { i["amount_capturable"] = 1500; },
       "amount_capturable: expected 2000, got 1500"},
      {PaymentOpKind::increment, [](json& i) { i["amount"] = 1500; }, "amount: expected 2000, got 1500"},
      {PaymentOpKind::increment, [](json& i) { i["currency"] = "jpy"; }, "currency: expected usd, got jpy"},
      {PaymentOpKind::increment, [](json& i) { i["metadata"]["session_id"] = kOtherSession; },
       "metadata[session_id]: expected " + kSessionId},
      {PaymentOpKind::increment, [](json& i) { i["status"] = "canceled"; },
       "status: expected requires_capture, got canceled"},
  }));
  INFO(to_string(lie.op) << ": " << lie.spelled_out);
  ScriptedGateway gateway;
  json intent = honest_intent(payment_request(lie.op));
  lie.change(intent);
  const PaymentOutcome outcome = gateway.outcome_of(200, intent.dump(), lie.op);
  CHECK(outcome.kind == PaymentOutcomeKind::unverified);
  CHECK(outcome.http_status == 200);
  CHECK_THAT(outcome.error, Contains("the PaymentIntent in the HTTP 200 answer is not the outcome of this " +
                                     std::string(to_string(lie.op))) &&
                                Contains(lie.spelled_out) && Contains(kPersonNeeded));
  for (const std::string& reference : {kHoldId, std::string("pi_3SomeoneElse"), std::string("pi_3NewIntent")}) {
    CHECK(outcome.error.find(reference) == std::string::npos);
  }
}

TEST_CASE("every differing field is named, in one error") {
  ScriptedGateway gateway;
  json intent = honest_intent(payment_request(PaymentOpKind::charge));
  intent["amount"] = 1;
  intent["amount_received"] = 1;
  intent["currency"] = "jpy";
  const PaymentOutcome outcome = gateway.outcome_of(200, intent.dump());
  CHECK(outcome.kind == PaymentOutcomeKind::unverified);
  CHECK_THAT(outcome.error, Contains("amount: expected 1500, got 1; amount_received: expected 1500, got 1; currency: "
                                     "expected usd, got jpy; money may have moved"));
}

TEST_CASE("a value the gateway made up is shown cut short, without secrets or control characters") {
  ScriptedGateway gateway;
  json intent = honest_intent(payment_request(PaymentOpKind::charge));
  intent["currency"] = "\x1b[31m" + kCustomer + std::string(500, 'x');
  const PaymentOutcome outcome = gateway.outcome_of(200, intent.dump());
  CHECK(outcome.kind == PaymentOutcomeKind::unverified);
  CHECK_THAT(outcome.error, Contains("currency: expected usd, got  [31m[redacted]xxx") && Contains("..."));
  CHECK(outcome.error.find(kCustomer) == std::string::npos);
  CHECK(outcome.error.find('\x1b') == std::string::npos);
  CHECK(outcome.error.size() < 500);
}

TEST_CASE("an HTTP status the contract does not name is unverified, whatever the body says") {
  const int status = GENERATE(201, 202, 299, 302, 405, 418, 422);
  INFO(status);
  ScriptedGateway gateway;
  const PaymentOutcome outcome = gateway.outcome_of(status, honest_intent_json(PaymentOpKind::charge));
  CHECK(outcome.kind == PaymentOutcomeKind::unverified);
  CHECK(outcome.http_status == status);
  CHECK_THAT(outcome.error, Contains("HTTP " + std::to_string(status) +
                                     " is not an answer the payment gateway contract names") &&
                                Contains(kPersonNeeded));
  CHECK(outcome.error.find("pi_3NewIntent") == std::string::npos);
}
