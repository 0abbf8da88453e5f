// GatewayLedger's idempotency: Idempotency-Key required on POST, stored responses replayed
// (402 and 400 too), the same key with other parameters or on another endpoint refused, a
// key in progress answered 409, and forget_keys (the 24-hour expiry).
#include <catch2/catch.hpp>

#include "tests/gateway_sim/gateway_fixture.hpp"

using Catch::Matchers::Contains;
using namespace passgate;
using namespace passgate::test;

TEST_CASE("every POST needs an Idempotency-Key, GETs do not") {
  LedgerFixture f;
  const std::string body = form_encode(intent_fields(new_uuid_v4()));
  for (const std::optional<std::string>& key : {std::optional<std::string>(), std::optional<std::string>(""),
                                                std::optional<std::string>(std::string(256, 'k'))}) {
    const auto reply = f.ledger.handle(sim::GatewayRequest{"POST", kCreate, bearer(), key, body});
    CHECK(reply.status == 400);
    CHECK_THAT(reply.body, Contains("Idempotency-Key"));
  }
  CHECK(f.ledger.intents().empty());
  CHECK(f.ledger.stored_keys() == 0);
  CHECK(f.get(search_target("s")).status == 200);
}

TEST_CASE("the same key and parameters replay the stored response without executing again") {
  LedgerFixture f;
  const std::string session = new_uuid_v4();
  const std::string key = session + ":charge";
  const auto first = f.post(kCreate, intent_fields(session), key);
  REQUIRE(first.status == 200);
  CHECK(first.stored_key == key);

  FormFields reordered = intent_fields(session);
  std::reverse(reordered.begin(), reordered.end());
  for (const FormFields& fields : {intent_fields(session), reordered}) {
    const auto again = f.post(kCreate, fields, key);
    CHECK(again.status == 200);
    CHECK(again.replayed);
    CHECK(again.body == first.body);
    CHECK(again.subject == first.subject);
    CHECK(again.stored_key.empty());
  }
  CHECK(f.ledger.intents().size() == 1);

  // A capture replays too: the second one would otherwise be unexpected_state.
  const std::string hold = f.create(session, "preauth", 900)["id"];
  const auto captured = f.post(capture_target(hold), {{"amount_to_capture", "800"}}, session + ":capture");
  const auto replayed = f.post(capture_target(hold), {{"amount_to_capture", "800"}}, session + ":capture");
  CHECK(captured.status == 200);
  CHECK(replayed.status == 200);
  CHECK(replayed.replayed);
  CHECK(replayed.body == captured.body);
}

TEST_CASE("declines and refusals are stored and replayed too") {
  LedgerFixture f;
  const std::string session = new_uuid_v4();
  const auto declined =
      f.post(kCreate, intent_fields(session, "charge", 700, "pm_card_chargeDeclined"), session + ":charge");
  REQUIRE(declined.status == 402);
  const auto replayed =
      f.post(kCreate, intent_fields(session, "charge", 700, "pm_card_chargeDeclined"), session + ":charge");
  CHECK(replayed.status == 402);
  CHECK(replayed.replayed);
  CHECK(replayed.body == declined.body);

  FormFields bad = intent_fields(session);
  bad[1].second = "USD";
  const auto refused = f.post(kCreate, bad, "bad-key");
  REQUIRE(refused.status == 400);
  const auto again = f.post(kCreate, bad, "bad-key");
  CHECK(again.status == 400);
  CHECK(again.replayed);
  CHECK(f.ledger.intents().size() == 1);  // the declined one
}

TEST_CASE("the same key with other parameters or on another endpoint is an idempotency_error") {
  LedgerFixture f;
  const std::string session = new_uuid_v4();
  const std::string key = session + ":preauth";
  const json hold = f.create(session, "preauth", 5000);

  const auto other_amount = f.post(kCreate, intent_fields(session, "preauth", 5001), key);
  CHECK(other_amount.status == 400);
  const json error = json::parse(other_amount.body)["error"];
  CHECK(error["type"] == "idempotency_error");
  CHECK_THAT(error["message"].get<std::string>(), Contains(key));

  const auto other_endpoint = f.post(capture_target(hold["id"]), {}, key);
  CHECK(other_endpoint.status == 400);
  CHECK(json::parse(other_endpoint.body)["error"]["type"] == "idempotency_error");
  CHECK(f.ledger.intents().size() == 1);
  CHECK(f.ledger.intents()[0].status == sim::GatewayIntentStatus::requires_capture);
}

TEST_CASE("a key whose first request is in progress answers 409, once done, the response is replayed") {
  LedgerFixture f;
  const std::string session = new_uuid_v4();
  const std::string key = session + ":charge";
  const auto first = f.post(kCreate, intent_fields(session), key);
  REQUIRE(first.stored_key == key);
  f.ledger.set_in_progress(key, true);

  const auto concurrent = f.post(kCreate, intent_fields(session), key);
  CHECK(concurrent.status == 409);
  CHECK(json::parse(concurrent.body)["error"]["code"] == "idempotency_key_in_use");
  CHECK_FALSE(concurrent.replayed);
  CHECK(f.post(kCreate, intent_fields(session, "charge", 1), key).status == 409);  // in progress comes first

  f.ledger.set_in_progress(key, false);
  const auto later = f.post(kCreate, intent_fields(session), key);
  CHECK(later.status == 200);
  CHECK(later.replayed);

  f.ledger.set_in_progress(key, true);
  f.ledger.end_all_in_progress();
  CHECK(f.post(kCreate, intent_fields(session), key).replayed);
  CHECK(f.ledger.intents().size() == 1);
}

TEST_CASE("forget_keys drops every stored key: the same key then executes again") {
  LedgerFixture f;
  const std::string session = new_uuid_v4();
  const std::string key = session + ":charge";
  const json first = f.create(session);
  (void)f.create(new_uuid_v4());
  CHECK(f.ledger.stored_keys() == 2);

  CHECK(f.ledger.forget_keys() == 2);
  CHECK(f.ledger.stored_keys() == 0);
  const auto again = f.post(kCreate, intent_fields(session), key);
  REQUIRE(again.status == 200);
  CHECK_FALSE(again.replayed);
  CHECK(json::parse(again.body)["id"] != first["id"]);
  // What the gate's search-and-adopt path is for: the search finds both.
  CHECK(json::parse(f.get(search_target(session)).body)["data"].size() == 2);
}
