// What GatewayClient sends for each operation: the request line, the form body field by
// field and byte for byte, and the headers (docs/interfaces/payment-gateway.md#operations); and
// that incomplete requests are rejected without being sent.
#include <catch2/catch.hpp>

#include "common/form_encoding.hpp"
#include "tests/gateway_client/gateway_fixture.hpp"

using Catch::Matchers::Contains;
using namespace passgate;
using namespace passgate::test;

namespace {

// Checks the headers every request carries, and those of a POST.
void check_headers(const sim::HttpCall& call, const PaymentRequest* posted) {
  CHECK(call.header("Authorization") == "Bearer " + kApiKey);
  if (posted == nullptr) {
    CHECK_FALSE(call.header("Idempotency-Key"));
    CHECK(call.body.empty());
    return;
  }
  CHECK(call.header("Idempotency-Key") == posted->idempotency_key);
  CHECK(call.header("Content-Type") == "application/x-www-form-urlencoded");
}

FormFields decoded(const std::string& body) {
  auto fields = form_decode(body);
  REQUIRE(fields);
  return *fields;
}

FormFields create_fields(const std::string& capture_method, const std::string& op) {
  return {{"amount", "1500"},
          {"currency", "usd"},
          {"customer", kCustomer},
          {"payment_method", kPaymentMethod},
          {"confirm", "true"},
          {"off_session", "true"},
          {"capture_method", capture_method},
          {"metadata[session_id]", kSessionId},
          {"metadata[gate_id]", "gate-a"},
          {"metadata[op]", op}};
}

}  // namespace

TEST_CASE("preauth: POST /v1/payment_intents with manual capture, requires_capture succeeds") {
  ScriptedGateway gateway;
  gateway.will_answer(200, honest_intent_json(PaymentOpKind::preauth));
  auto client = gateway.client();
  const auto request = payment_request(PaymentOpKind::preauth);
  const PaymentOutcome outcome = gateway.execute(*client, request);

  REQUIRE(gateway.calls.size() == 1);
  const auto& call = gateway.calls[0];
  CHECK(call.method == "POST");
  CHECK(call.target == "/v1/payment_intents");
  check_headers(call, &request);
  CHECK(call.body == "amount=1500&currency=usd&customer=" + kCustomer + "&payment_method=" + kPaymentMethod +
                         "&confirm=true&off_session=true&capture_method=manual&metadata%5Bsession_id%5D=" + kSessionId +
                         "&metadata%5Bgate_id%5D=gate-a&metadata%5Bop%5D=preauth");
  CHECK(decoded(call.body) == create_fields("manual", "preauth"));

  CHECK(outcome.kind == PaymentOutcomeKind::succeeded);
  CHECK(outcome.http_status == 200);
  CHECK(outcome.error.empty());
  CHECK_FALSE(outcome.replayed);
  REQUIRE(outcome.intent);
  CHECK(outcome.intent->id == "pi_3NewIntent");
  CHECK(outcome.intent->status == "requires_capture");
  CHECK(outcome.intent->amount == 1500);
  CHECK(outcome.intent->amount_capturable == 1500);
  CHECK(outcome.intent->amount_received == 0);
  CHECK(outcome.intent->currency == "usd");
  CHECK(outcome.intent->session_id == kSessionId);
  CHECK(outcome.intent->op == "preauth");
  CHECK(gateway.script_used_up());
}

TEST_CASE("charge: POST /v1/payment_intents with automatic capture, succeeded succeeds") {
  ScriptedGateway gateway;
  gateway.will_answer(200, intent_json("pi_2", "succeeded"));
  auto client = gateway.client();
  const auto request = payment_request(PaymentOpKind::charge);
  const PaymentOutcome outcome = gateway.execute(*client, request);

  REQUIRE(gateway.calls.size() == 1);
  CHECK(gateway.calls[0].method == "POST");
  CHECK(gateway.calls[0].target == "/v1/payment_intents");
  check_headers(gateway.calls[0], &request);
  CHECK(gateway.calls[0].header("Idempotency-Key") == kSessionId + ":charge");
  CHECK(decoded(gateway.calls[0].body) == create_fields("automatic", "charge"));
  CHECK(outcome.kind == PaymentOutcomeKind::succeeded);
  CHECK(outcome.intent->id == "pi_2");
}

TEST_CASE("a charge names which of the session's charges it is in metadata[op_key], and the answer must echo it") {
  ScriptedGateway gateway;
  const std::string echoed = R"({"id":"pi_2","object":"payment_intent","amount":1500,"amount_capturable":0,)"
                             R"("amount_received":1500,"currency":"usd","status":"succeeded","metadata":{"session_id":")" +
                             kSessionId + R"(","gate_id":"gate-a","op":"charge","op_key":"charge:capture"}})";
  gateway.will_answer(200, echoed);
  gateway.will_answer(200, intent_json("pi_2", "succeeded"));  // no op_key: another charge's, or an old one
  auto client = gateway.client();
  auto request = payment_request(PaymentOpKind::charge);
  request.idempotency_key = kSessionId + ":charge:capture";
  request.op_key = operation_key(request.session_id, request.idempotency_key);
  CHECK(request.op_key == "charge:capture");
  const PaymentOutcome outcome = gateway.execute(*client, request);
  REQUIRE(gateway.calls.size() == 1);
  FormFields expected = create_fields("automatic", "charge");
  expected.emplace_back("metadata[op_key]", "charge:capture");
  CHECK(decoded(gateway.calls[0].body) == expected);
  CHECK(outcome.kind == PaymentOutcomeKind::succeeded);
  REQUIRE(outcome.intent);
  CHECK(outcome.intent->op_key == "charge:capture");

  const PaymentOutcome other = gateway.execute(*client, request);
  CHECK(other.kind == PaymentOutcomeKind::unverified);
  CHECK_THAT(other.error, Contains("metadata[op_key]: expected charge:capture, got nothing"));
  CHECK(gateway.script_used_up());
}

TEST_CASE("capture: POST /v1/payment_intents/{id}/capture with amount_to_capture") {
  ScriptedGateway gateway;
  gateway.will_answer(200, honest_intent_json(PaymentOpKind::capture));
  auto client = gateway.client();
  const auto request = payment_request(PaymentOpKind::capture);
  const PaymentOutcome outcome = gateway.execute(*client, request);

  REQUIRE(gateway.calls.size() == 1);
  CHECK(gateway.calls[0].method == "POST");
  CHECK(gateway.calls[0].target == "/v1/payment_intents/" + kHoldId + "/capture");
  check_headers(gateway.calls[0], &request);
  CHECK(gateway.calls[0].body == "amount_to_capture=1200");
  CHECK(outcome.kind == PaymentOutcomeKind::succeeded);
  CHECK(outcome.intent->amount_received == 1200);
}

TEST_CASE("void: POST /v1/payment_intents/{id}/cancel with cancellation_reason=abandoned") {
  ScriptedGateway gateway;
  gateway.will_answer(200, honest_intent_json(PaymentOpKind::void_hold));
  auto client = gateway.client();
  const auto request = payment_request(PaymentOpKind::void_hold);
  const PaymentOutcome outcome = gateway.execute(*client, request);

  REQUIRE(gateway.calls.size() == 1);
  CHECK(gateway.calls[0].method == "POST");
  CHECK(gateway.calls[0].target == "/v1/payment_intents/" + kHoldId + "/cancel");
  check_headers(gateway.calls[0], &request);
  CHECK(gateway.calls[0].header("Idempotency-Key") == kSessionId + ":void");
  CHECK(gateway.calls[0].body == "cancellation_reason=abandoned");
  CHECK(outcome.kind == PaymentOutcomeKind::succeeded);
  CHECK(outcome.intent->status == "canceled");
}

TEST_CASE("an intent id is percent-encoded in the path") {
  ScriptedGateway gateway;
  auto request = payment_request(PaymentOpKind::void_hold);
  request.intent_id = "pi_a/../b c";
  gateway.will_answer(200, honest_intent(request).dump());
  auto client = gateway.client();
  CHECK(gateway.execute(*client, request).kind == PaymentOutcomeKind::succeeded);
  REQUIRE(gateway.calls.size() == 1);
  CHECK(gateway.calls[0].target == "/v1/payment_intents/pi_a%2F..%2Fb%20c/cancel");
}

TEST_CASE("search: GET /v1/payment_intents/search with the session's metadata query, every match found") {
  ScriptedGateway gateway;
  gateway.will_answer(200, R"({"object":"search_result","data":[)" + intent_json("pi_1", "canceled", 1500, "preauth") +
                               "," + intent_json("pi_2", "succeeded") + R"(],"has_more":false})");
  auto client = gateway.client();
  const PaymentOutcome outcome = gateway.search(*client, kSessionId);

  REQUIRE(gateway.calls.size() == 1);
  const auto& call = gateway.calls[0];
  CHECK(call.method == "GET");
  CHECK(call.target == "/v1/payment_intents/search?query=metadata%5B%27session_id%27%5D%3A%27" + kSessionId + "%27");
  check_headers(call, nullptr);
  const auto query = form_decode(call.target.substr(call.target.find('?') + 1));
  REQUIRE(query);
  CHECK(*query == FormFields{{"query", "metadata['session_id']:'" + kSessionId + "'"}});

  CHECK(outcome.kind == PaymentOutcomeKind::succeeded);
  CHECK_FALSE(outcome.intent);
  REQUIRE(outcome.found.size() == 2);
  CHECK(outcome.found[0].id == "pi_1");
  CHECK(outcome.found[0].op == "preauth");
  CHECK(outcome.found[1].id == "pi_2");
  CHECK(outcome.found[1].status == "succeeded");
}

TEST_CASE("a search that finds nothing succeeds with no matches") {
  ScriptedGateway gateway;
  gateway.will_answer(200, R"({"object":"search_result","data":[]})");
  auto client = gateway.client();
  const PaymentOutcome outcome = gateway.search(*client, kSessionId);
  CHECK(outcome.kind == PaymentOutcomeKind::succeeded);
  CHECK(outcome.found.empty());
}

TEST_CASE("a base URL path prefix goes in front of every target") {
  ScriptedGateway gateway;
  gateway.will_answer(200, intent_json("pi_1", "succeeded"));
  auto client = gateway.client(drivers::GatewayClientOptions{gateway.base_url() + "/stripe", kApiKey, {}});
  CHECK(gateway.execute(*client, payment_request(PaymentOpKind::charge)).kind == PaymentOutcomeKind::succeeded);
  REQUIRE(gateway.calls.size() == 1);
  CHECK(gateway.calls[0].target == "/stripe/v1/payment_intents");
}

TEST_CASE("an incomplete request is rejected with what is wrong, never sent, and answered on the loop") {
  struct Case {
    const char* what;
    PaymentRequest request;
    const char* expected;
  };
  const auto with = [](PaymentOpKind op, auto change) {
    PaymentRequest request = payment_request(op);
    change(request);
    return request;
  };
  const std::vector<Case> cases{
      {"no key", with(PaymentOpKind::charge, [](auto& r) { r.idempotency_key.clear(); }), "idempotency_key is empty"},
      {"key with a line break", with(PaymentOpKind::charge, [](auto& r) { r.idempotency_key += "\r\nX-Evil: 1"; }),
       "idempotency_key has a space or a non-printable character at offset 43"},
      {"key too long", with(PaymentOpKind::charge, [](auto& r) { r.idempotency_key = std::string(256, 'k'); }),
       "longer than 255"},
      {"capture without intent", with(PaymentOpKind::capture, [](auto& r) { r.intent_id.clear(); }),
       "capture request: intent_id"},
      {"void without intent", with(PaymentOpKind::void_hold, [](auto& r) { r.intent_id.clear(); }),
       "void request: intent_id"},
      {"zero charge", with(PaymentOpKind::charge, [](auto& r) { r.amount_minor = 0; }),
       "amount_minor must be positive, got 0"},
      {"negative capture", with(PaymentOpKind::capture, [](auto& r) { r.amount_minor = -5; }),
       "amount_minor must be positive, got -5"},
      {"bad currency", with(PaymentOpKind::preauth, [](auto& r) { r.currency = "US"; }), "currency \"US\""},
      {"no customer", with(PaymentOpKind::charge, [](auto& r) { r.customer.clear(); }), "customer is empty"},
      {"no payment method", with(PaymentOpKind::preauth, [](auto& r) { r.payment_method.clear(); }),
       "payment_method is empty"},
      {"no session", with(PaymentOpKind::charge, [](auto& r) { r.session_id.clear(); }), "session_id is empty"},
      {"no gate", with(PaymentOpKind::charge, [](auto& r) { r.gate_id.clear(); }), "gate_id is empty"},
  };
  ScriptedGateway gateway;
  auto client = gateway.client();
  for (const auto& c : cases) {
    INFO(c.what);
    bool answered = false;
    PaymentOutcome outcome;
    client->execute(c.request, 5s, [&](PaymentOutcome o) {
      answered = true;
      outcome = std::move(o);
    });
    CHECK_FALSE(answered);  // not inside execute()
    REQUIRE(run_until(gateway.io, [&] { return answered; }));
    CHECK(outcome.kind == PaymentOutcomeKind::rejected);
    CHECK(outcome.http_status == 0);
    CHECK_THAT(outcome.error, Contains(c.expected));
  }
  CHECK(gateway.calls.empty());
}

TEST_CASE("a session id that cannot be quoted in a search query is rejected, not sent") {
  ScriptedGateway gateway;
  auto client = gateway.client();
  for (const auto& [id, expected] : {std::pair{"abc' OR status:'succeeded", "at offset 3"},
                                     std::pair{"a\\b", "at offset 1"}, std::pair{"", "empty"}}) {
    INFO(id);
    const PaymentOutcome outcome = gateway.search(*client, id);
    CHECK(outcome.kind == PaymentOutcomeKind::rejected);
    CHECK_THAT(outcome.error, Contains(expected));
  }
  CHECK(gateway.calls.empty());
}
