// GatewayLedger driven directly: create (charge, preauth), capture, cancel, search, look-up,
// the test payment methods, strict parameter checks and the API key.
#include <catch2/catch.hpp>

#include "tests/gateway_sim/gateway_fixture.hpp"

using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;
using namespace passgate;
using namespace passgate::test;

TEST_CASE("a charge with pm_card_visa succeeds and collects its amount") {
  LedgerFixture f;
  const std::string session = new_uuid_v4();
  const auto reply = f.post(kCreate, intent_fields(session, "charge", 1250), session + ":charge");
  REQUIRE(reply.status == 200);
  CHECK_FALSE(reply.replayed);
  const json intent = json::parse(reply.body);
  CHECK_THAT(intent["id"].get<std::string>(), StartsWith("pi_"));
  CHECK(intent["id"].get<std::string>().size() > 20);
  CHECK(reply.subject == intent["id"]);
  CHECK(intent["object"] == "payment_intent");
  CHECK(intent["status"] == "succeeded");
  CHECK(intent["amount"] == 1250);
  CHECK(intent["amount_received"] == 1250);
  CHECK(intent["amount_capturable"] == 0);
  CHECK(intent["currency"] == "usd");
  CHECK(intent["customer"] == kCustomer);
  CHECK(intent["payment_method"] == "pm_card_visa");
  CHECK(intent["capture_method"] == "automatic");
  CHECK(intent["metadata"] == json{{"session_id", session}, {"gate_id", "gate-a"}, {"op", "charge"}});
  REQUIRE(f.ledger.intents().size() == 1);
  CHECK(f.ledger.intents()[0].id == intent["id"]);
}

TEST_CASE("a preauth holds, capture collects at most the hold, only from requires_capture") {
  LedgerFixture f;
  const std::string session = new_uuid_v4();
  const json hold = f.create(session, "preauth", 5000);
  const std::string id = hold["id"];
  CHECK(hold["status"] == "requires_capture");
  CHECK(hold["amount_capturable"] == 5000);
  CHECK(hold["amount_received"] == 0);

  const auto too_much = f.post(capture_target(id), {{"amount_to_capture", "5001"}}, session + ":capture-x");
  CHECK(too_much.status == 400);
  CHECK(error_of(too_much)["code"] == "amount_too_large");
  CHECK(error_of(too_much)["param"] == "amount_to_capture");

  const auto captured = f.post(capture_target(id), {{"amount_to_capture", "3150"}}, session + ":capture");
  REQUIRE(captured.status == 200);
  const json intent = json::parse(captured.body);
  CHECK(intent["status"] == "succeeded");
  CHECK(intent["amount_received"] == 3150);
  CHECK(intent["amount_capturable"] == 0);

  const auto again = f.post(capture_target(id), {{"amount_to_capture", "100"}}, session + ":capture-2");
  CHECK(again.status == 400);
  CHECK(error_of(again)["code"] == "payment_intent_unexpected_state");
  CHECK(error_of(again)["type"] == "invalid_request_error");

  const auto missing = f.post(capture_target("pi_nothing"), {{"amount_to_capture", "100"}}, "k-missing");
  CHECK(missing.status == 404);
  CHECK(error_of(missing)["code"] == "resource_missing");
}

TEST_CASE("capture without amount_to_capture collects the whole hold") {
  LedgerFixture f;
  const std::string session = new_uuid_v4();
  const std::string id = f.create(session, "preauth", 700)["id"];
  const auto captured = f.post(capture_target(id), {}, session + ":capture");
  REQUIRE(captured.status == 200);
  CHECK(json::parse(captured.body)["amount_received"] == 700);
}

TEST_CASE("cancel voids a hold, a collected or canceled intent cannot be canceled") {
  LedgerFixture f;
  const std::string session = new_uuid_v4();
  const std::string hold = f.create(session, "preauth", 5000)["id"];

  const auto bad_reason = f.post(cancel_target(hold), {{"cancellation_reason", "bored"}}, session + ":void-x");
  CHECK(bad_reason.status == 400);
  CHECK(error_of(bad_reason)["param"] == "cancellation_reason");

  const auto voided = f.post(cancel_target(hold), {{"cancellation_reason", "abandoned"}}, session + ":void");
  REQUIRE(voided.status == 200);
  const json intent = json::parse(voided.body);
  CHECK(intent["status"] == "canceled");
  CHECK(intent["amount_capturable"] == 0);
  CHECK(intent["cancellation_reason"] == "abandoned");

  const auto twice = f.post(cancel_target(hold), {{"cancellation_reason", "abandoned"}}, session + ":void-2");
  CHECK(twice.status == 400);
  CHECK(error_of(twice)["code"] == "payment_intent_unexpected_state");
  const std::string charge = f.create(session, "charge", 900)["id"];
  CHECK(f.post(cancel_target(charge), {}, session + ":void-3").status == 400);
  CHECK(f.post(capture_target(hold), {}, session + ":capture").status == 400);
}

TEST_CASE("the declining test payment methods answer 402 card_error with their decline codes") {
  const auto [method, decline_code] =
      GENERATE(table<std::string, std::string>({{"pm_card_chargeDeclined", "generic_decline"},
                                                {"pm_card_chargeDeclinedInsufficientFunds", "insufficient_funds"}}));
  const auto op = GENERATE(as<std::string>{}, "preauth", "charge");
  INFO(method << " " << op);
  LedgerFixture f;
  const std::string session = new_uuid_v4();
  const auto reply = f.post(kCreate, intent_fields(session, op, 1250, method), session + ":" + op);
  REQUIRE(reply.status == 402);
  const json error = error_of(reply);
  CHECK(error["type"] == "card_error");
  CHECK(error["code"] == "card_declined");
  CHECK(error["decline_code"] == decline_code);
  CHECK_FALSE(error["message"].get<std::string>().empty());
  CHECK(error["payment_intent"]["status"] == "requires_payment_method");
  REQUIRE(f.ledger.intents().size() == 1);
  CHECK(f.ledger.intents()[0].amount_received == 0);
  CHECK(f.ledger.intents()[0].amount_capturable == 0);
}

TEST_CASE("an unknown payment method is 400 resource_missing, without quoting it") {
  LedgerFixture f;
  const auto reply = f.post(kCreate, intent_fields(new_uuid_v4(), "charge", 100, "pm_card_secret42"), "k1");
  REQUIRE(reply.status == 400);
  CHECK(error_of(reply)["code"] == "resource_missing");
  CHECK(error_of(reply)["param"] == "payment_method");
  CHECK_THAT(reply.body, !Contains("pm_card_secret42"));
  CHECK(f.ledger.intents().empty());
}

TEST_CASE("every create parameter is checked, a missing or bad one is a 400 naming it") {
  const std::string session = new_uuid_v4();
  const auto with = [&session](const std::string& name, const std::optional<std::string>& value) {
    FormFields fields = intent_fields(session);
    std::erase_if(fields, [&name](const auto& field) { return field.first == name; });
    if (value) fields.emplace_back(name, *value);
    return fields;
  };
  const auto [name, value, code] = GENERATE_COPY(table<std::string, std::optional<std::string>, std::string>({
      {"amount", std::nullopt, "parameter_missing"},
      {"amount", "0", "parameter_invalid_integer"},
      {"amount", "-5", "parameter_invalid_integer"},
      {"amount", "12.50", "parameter_invalid_integer"},
      {"amount", "012", "parameter_invalid_integer"},
      {"amount", "100000000", "parameter_invalid_integer"},
      {"currency", "USD", "parameter_invalid"},
      {"currency", "us", "parameter_invalid"},
      {"currency", std::nullopt, "parameter_missing"},
      {"customer", "", "parameter_invalid"},
      {"customer", std::nullopt, "parameter_missing"},
      {"payment_method", std::nullopt, "parameter_missing"},
      {"confirm", "false", "parameter_invalid"},
      {"off_session", std::nullopt, "parameter_missing"},
      {"capture_method", "automatic_async", "parameter_invalid"},
      {"metadata[session_id]", std::nullopt, "parameter_missing"},
      {"metadata[gate_id]", "", "parameter_invalid"},
      {"metadata[op]", "capture", "parameter_invalid"},
      {"metadata[lane]", "1", "parameter_unknown"},
  }));
  INFO(name << "=" << value.value_or("(absent)"));
  LedgerFixture f;
  const auto reply = f.post(kCreate, with(name, value), "k-" + name);
  REQUIRE(reply.status == 400);
  const json error = error_of(reply);
  CHECK(error["type"] == "invalid_request_error");
  CHECK(error["param"] == name);
  CHECK(error["code"] == code);
  CHECK_THAT(error["message"].get<std::string>(), Contains(name));
  CHECK_THAT(reply.body, !Contains(kCustomer));
  CHECK(f.ledger.intents().empty());
}

TEST_CASE("create refuses an op that does not fit its capture method, repeated parameters and bad encoding") {
  LedgerFixture f;
  const std::string session = new_uuid_v4();
  FormFields mismatched = intent_fields(session, "preauth");
  mismatched[6].second = "automatic";
  const auto op = f.post(kCreate, mismatched, "k1");
  CHECK(op.status == 400);
  CHECK(error_of(op)["param"] == "metadata[op]");

  FormFields twice = intent_fields(session);
  twice.emplace_back("amount", "99");
  const auto repeated = f.post(kCreate, twice, "k2");
  CHECK(repeated.status == 400);
  CHECK(error_of(repeated)["code"] == "parameter_duplicated");

  const auto garbled = f.ledger.handle(sim::GatewayRequest{"POST", kCreate, bearer(), "k3", "amount=%zz"});
  CHECK(garbled.status == 400);
  CHECK_THAT(error_of(garbled)["message"].get<std::string>(), Contains("percent escape"));

  // Several problems: the first is named, all are described.
  const auto many = f.post(kCreate, {{"amount", "x"}}, "k4");
  CHECK(many.status == 400);
  CHECK(error_of(many)["param"] == "amount");
  CHECK_THAT(error_of(many)["message"].get<std::string>(), Contains("currency: missing") && Contains("metadata[op]"));
  CHECK(f.ledger.intents().empty());
}

TEST_CASE("every request needs the API key as a bearer token, the key is never echoed") {
  LedgerFixture f;
  const std::string body = form_encode(intent_fields(new_uuid_v4()));
  for (const std::optional<std::string>& auth :
       {std::optional<std::string>(), std::optional<std::string>("Bearer sk_wrong"),
        std::optional<std::string>(kApiKey)}) {
    const auto reply = f.ledger.handle(sim::GatewayRequest{"POST", kCreate, auth, "k1", body});
    CHECK(reply.status == 401);
    CHECK(error_of(reply)["type"] == "invalid_request_error");
    CHECK_THAT(reply.body, !Contains("sk_"));
    const auto get = f.ledger.handle(sim::GatewayRequest{"GET", search_target("s"), auth, std::nullopt, {}});
    CHECK(get.status == 401);
  }
  CHECK(f.ledger.intents().empty());
}

TEST_CASE("search finds a session's intents, any other query is a 400") {
  LedgerFixture f;
  const std::string session = new_uuid_v4();
  const json hold = f.create(session, "preauth", 5000);
  const json charge = f.create(session, "charge", 6000);
  (void)f.create(new_uuid_v4());

  const auto found = f.get(search_target(session));
  REQUIRE(found.status == 200);
  const json result = json::parse(found.body);
  CHECK(result["object"] == "search_result");
  CHECK(result["has_more"] == false);
  REQUIRE(result["data"].size() == 2);
  CHECK(result["data"][0]["id"] == hold["id"]);
  CHECK(result["data"][1]["id"] == charge["id"]);
  CHECK(result["data"][1]["metadata"]["op"] == "charge");
  CHECK(json::parse(f.get(search_target("nobody")).body)["data"].empty());

  for (const std::string query : {"metadata['gate_id']:'gate-a'", "metadata['session_id']:''",
                                  "metadata['session_id']:'a' OR status:'succeeded'", "session_id:'x'"}) {
    INFO(query);
    const auto reply = f.get(std::string(kCreate) + "/search?query=" + percent_encode(query));
    CHECK(reply.status == 400);
    CHECK(error_of(reply)["param"] == "query");
  }
  CHECK(f.get(std::string(kCreate) + "/search").status == 400);
  CHECK(f.get(search_target(session) + "&limit=5").status == 400);
  CHECK(f.get(std::string(kCreate) + "/search?query=%zz").status == 400);
}

TEST_CASE("metadata[op_key] is optional, kept and echoed in every answer: create, search and look-up") {
  LedgerFixture f;
  const std::string session = new_uuid_v4();
  auto fields = intent_fields(session, "charge", 3000);
  fields.emplace_back("metadata[op_key]", "charge:capture");
  const auto created = f.post(kCreate, fields, session + ":charge:capture");
  REQUIRE(created.status == 200);
  const json intent = json::parse(created.body);
  CHECK(intent["metadata"] ==
        json{{"session_id", session}, {"gate_id", "gate-a"}, {"op", "charge"}, {"op_key", "charge:capture"}});
  const json rest = f.create(session, "charge", 3000);  // without one (as an older version sent it)
  CHECK_FALSE(rest["metadata"].contains("op_key"));
  const json found = json::parse(f.get(search_target(session)).body);
  REQUIRE(found["data"].size() == 2);
  CHECK(found["data"][0]["metadata"]["op_key"] == "charge:capture");
  CHECK_FALSE(found["data"][1]["metadata"].contains("op_key"));
  CHECK(json::parse(f.get(std::string(kCreate) + "/" + intent["id"].get<std::string>()).body) == intent);
  // Another op_key under the same key is other parameters.
  fields.back().second = "charge:remainder";
  CHECK(error_of(f.post(kCreate, fields, session + ":charge:capture"))["type"] == "idempotency_error");
}

TEST_CASE("one intent can be looked up by id, unknown ids and endpoints are 404") {
  LedgerFixture f;
  const json charge = f.create(new_uuid_v4());
  const auto shown = f.get(std::string(kCreate) + "/" + charge["id"].get<std::string>());
  REQUIRE(shown.status == 200);
  CHECK(json::parse(shown.body) == charge);
  CHECK(f.get(std::string(kCreate) + "/pi_unknown").status == 404);
  CHECK(f.get("/v1/charges").status == 404);
  CHECK(f.get(kCreate).status == 404);
  CHECK(f.post("/v1/payment_intents/pi_x/refund", {}, "k").status == 404);
  CHECK(f.post("/v1/refunds", {}, "k").status == 404);
}
