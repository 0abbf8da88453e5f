// The Terminal side's PaymentIntents driven directly: customers, card-present holds through
// a reader (collect, tap, confirm), the look-up with expand[]=latest_charge,
// increment_authorization, capture and cancel of a card-present hold, and the off-session
// charge of its generated_card.
#include <catch2/catch.hpp>

#include "tests/gateway_sim/terminal_fixture.hpp"

using Catch::Matchers::Contains;
using namespace passgate;
using namespace passgate::test;

TEST_CASE("a customer is created with its metadata, unknown parameters refused") {
  TerminalFixture f;
  const auto made = f.post("/v1/customers", {{"metadata[session_id]", "s1"}, {"metadata[gate_id]", "gate-a"}}, "k1");
  REQUIRE(made.status == 200);
  const json customer = json::parse(made.body);
  CHECK(customer["id"].get<std::string>().starts_with("cus_"));
  CHECK(customer["object"] == "customer");
  CHECK(customer["metadata"] == json{{"session_id", "s1"}, {"gate_id", "gate-a"}});
  CHECK(f.ledger.terminal().customers() == 1);

  const auto odd = f.post("/v1/customers", {{"email", "a@b.c"}}, "k2");
  CHECK(odd.status == 400);
  CHECK(error_of(odd)["code"] == "parameter_unknown");
  CHECK(f.ledger.terminal().customers() == 1);
}

TEST_CASE("a card-present intent waits for a reader: requires_payment_method, nothing held") {
  TerminalFixture f;
  const json intent = f.arm("s1");
  CHECK(intent["status"] == "requires_payment_method");
  CHECK(intent["capture_method"] == "manual");
  CHECK(intent["payment_method_types"] == json::array({"card_present"}));
  CHECK(intent["setup_future_usage"] == "off_session");
  CHECK(intent["metadata"]["op"] == "tpreauth");
  CHECK(intent["metadata"]["lane"] == "1");
  CHECK(intent["latest_charge"].is_null());
  CHECK(intent["payment_method"].is_null());
  CHECK(intent["amount_capturable"] == 0);
}

TEST_CASE("a card-present intent needs its customer and the card-present parameters") {
  TerminalFixture f;
  const auto unknown = f.post(kCreate, hold_fields("s1", "cus_nobody"), "k1");
  CHECK(unknown.status == 404);
  CHECK(error_of(unknown)["param"] == "customer");

  const std::string customer = json::parse(f.post("/v1/customers", {}, "c").body)["id"];
  for (const auto& [name, value] : std::vector<std::pair<std::string, std::string>>{
           {"capture_method", "automatic"}, {"payment_method_types[]", "card"}, {"metadata[op]", "preauth"},
           {"amount", "0"}, {"setup_future_usage", "on_session"}}) {
    INFO(name);
    FormFields fields = hold_fields("s1", customer);
    for (auto& field : fields) {
      if (field.first == name) field.second = value;
    }
    const auto refused = f.post(kCreate, fields, "k-" + name);
    CHECK(refused.status == 400);
    CHECK(error_of(refused)["param"] == name);
  }
  CHECK(f.ledger.intents().empty());
}

TEST_CASE("collect, tap and confirm place the hold, the expanded charge has what the gate records") {
  TerminalFixture f;
  const json held = f.attempt("s1");
  CHECK(held["status"] == "requires_capture");
  CHECK(held["amount_capturable"] == 3000);
  const json& charge = held["latest_charge"];
  CHECK(charge["id"].get<std::string>().starts_with("ch_"));
  CHECK(charge["status"] == "succeeded");
  const json& card = charge["payment_method_details"]["card_present"];
  CHECK(card["fingerprint"].get<std::string>().size() == 16);
  CHECK(card["generated_card"].get<std::string>().starts_with("pm_"));
  CHECK(card["capture_before"].get<std::int64_t>() > held["created"].get<std::int64_t>());
  CHECK(card["incremental_authorization_supported"] == true);
  CHECK(card["brand"] == "visa");
  CHECK(card["last4"] == "4242");
  CHECK_THAT(held.dump(), !Contains(kVisa));

  // Without expand, latest_charge is the charge's id; expand takes only latest_charge.
  const std::string id = held["id"];
  const auto plain = f.get(std::string(kCreate) + "/" + id);
  CHECK(json::parse(plain.body)["latest_charge"] == charge["id"]);
  CHECK(f.get(std::string(kCreate) + "/" + id + "?expand%5B%5D=customer").status == 400);
}

TEST_CASE("a hold without setup_future_usage or incremental support saves no card and cannot grow") {
  TerminalFixture f;
  const std::string customer = json::parse(f.post("/v1/customers", {}, "c").body)["id"];
  FormFields fields = hold_fields("s1", customer);
  std::erase_if(fields, [](const auto& field) {
    return field.first == "setup_future_usage" || field.first.starts_with("payment_method_options");
  });
  const std::string id = json::parse(f.post(kCreate, fields, "s1:tpreauth").body)["id"];
  const json card = f.place_hold(id)["latest_charge"]["payment_method_details"]["card_present"];
  CHECK(card["generated_card"].is_null());
  CHECK(card["incremental_authorization_supported"] == false);
  const auto refused = f.post(increment_target(id), {{"amount", "4000"}}, "s1:increment");
  CHECK(refused.status == 400);
  CHECK(error_of(refused)["code"] == "incremental_authorization_not_supported");
}

TEST_CASE("increment_authorization raises the hold, then capture takes the new amount") {
  TerminalFixture f;
  const std::string id = f.attempt("s1")["id"];
  const auto raised = f.post(increment_target(id), {{"amount", "4200"}}, "s1:increment");
  REQUIRE(raised.status == 200);
  CHECK(json::parse(raised.body)["amount"] == 4200);
  CHECK(json::parse(raised.body)["amount_capturable"] == 4200);

  const auto captured = f.post(capture_target(id), {{"amount_to_capture", "4200"}}, "s1:capture");
  REQUIRE(captured.status == 200);
  CHECK(json::parse(captured.body)["status"] == "succeeded");
  CHECK(json::parse(captured.body)["amount_received"] == 4200);
  CHECK(f.intent(id)["latest_charge"]["captured"] == true);
}

TEST_CASE("increment_authorization refuses a smaller amount, a missing intent, a wrong state, declines are 402") {
  TerminalFixture f;
  const std::string id = f.attempt("s1")["id"];
  const auto smaller = f.post(increment_target(id), {{"amount", "3000"}}, "k1");
  CHECK(smaller.status == 400);
  CHECK(error_of(smaller)["param"] == "amount");
  CHECK(f.post(increment_target("pi_nope"), {{"amount", "4000"}}, "k2").status == 404);
  CHECK(f.post(increment_target(id), {{"amount", "4000"}, {"currency", "usd"}}, "k3").status == 400);

  const auto declined = f.post(increment_target(id), {{"amount", "4005"}}, "k4");  // ends in .05
  REQUIRE(declined.status == 402);
  CHECK(error_of(declined)["type"] == "card_error");
  CHECK(error_of(declined)["decline_code"] == "generic_decline");
  CHECK(f.intent(id)["amount_capturable"] == 3000);  // the hold stays as it was

  REQUIRE(f.post(cancel_target(id), {{"cancellation_reason", "abandoned"}}, "s1:void").status == 200);
  const auto canceled = f.post(increment_target(id), {{"amount", "4000"}}, "k5");
  CHECK(canceled.status == 400);
  CHECK(error_of(canceled)["code"] == "payment_intent_unexpected_state");
}

TEST_CASE("a card-present intent can be voided before or after its card was read") {
  TerminalFixture f;
  const std::string armed = f.arm("s1")["id"];
  REQUIRE(f.collect(armed).status == 200);
  REQUIRE(f.tap().status == 200);
  CHECK(f.intent(armed)["status"] == "requires_confirmation");
  const auto voided = f.post(cancel_target(armed), {{"cancellation_reason", "abandoned"}}, "s1:void");
  REQUIRE(voided.status == 200);
  CHECK(json::parse(voided.body)["status"] == "canceled");
  CHECK(f.confirm(armed).status == 400);  // a canceled intent is not confirmed

  // Canceling an intent whose collect is in progress ends the reader's action too.
  const std::string waiting = f.arm("s2")["id"];
  REQUIRE(f.collect(waiting).status == 200);
  REQUIRE(f.post(cancel_target(waiting), {}, "s2:void").status == 200);
  CHECK(f.reader()["action"]["status"] == "failed");
  CHECK(f.ledger.terminal().readers()[0].armed_intent().empty());
}

TEST_CASE("the generated card charges the rest off-session for its own customer only") {
  TerminalFixture f;
  const json held = f.attempt("s1");
  const std::string card = held["latest_charge"]["payment_method_details"]["card_present"]["generated_card"];
  const std::string customer = held["customer"];
  REQUIRE(f.post(capture_target(held["id"]), {{"amount_to_capture", "3000"}}, "s1:capture").status == 200);

  FormFields rest = intent_fields("s1", "charge", 700, card);
  rest[2].second = customer;
  const auto charged = f.post(kCreate, rest, "s1:charge");
  REQUIRE(charged.status == 200);
  CHECK(json::parse(charged.body)["status"] == "succeeded");
  CHECK(json::parse(charged.body)["amount_received"] == 700);

  FormFields stranger = intent_fields("s2", "charge", 700, card);  // kCustomer, not the card's
  const auto refused = f.post(kCreate, stranger, "s2:charge");
  CHECK(refused.status == 400);
  CHECK(error_of(refused)["code"] == "resource_missing");
  CHECK_THAT(refused.body, !Contains(card));
}
