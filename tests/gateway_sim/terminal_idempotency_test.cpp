// Idempotency on the Terminal side: every step's POST replays its first answer for the same
// key and parameters (a busy 400 too), refuses the same key with other parameters or on
// another endpoint, and needs a key, but the simulated tap, where one is optional.
#include <catch2/catch.hpp>

#include "tests/gateway_sim/terminal_fixture.hpp"

using Catch::Matchers::Contains;
using namespace passgate;
using namespace passgate::test;

TEST_CASE("steps 1 to 5 replay their first answer for the same key without running again") {
  TerminalFixture f;
  const auto customer = [&f] { return f.post("/v1/customers", {{"metadata[session_id]", "s1"}}, "s1:customer"); };
  const auto first_customer = customer();
  const auto again_customer = customer();
  CHECK(again_customer.replayed);
  CHECK(again_customer.body == first_customer.body);
  CHECK(f.ledger.terminal().customers() == 1);

  const std::string id = f.arm("s2")["id"];
  const auto collect = f.collect(id);
  const auto collect_again = f.collect(id);  // the same key: the stored in_progress answer, not busy
  CHECK(collect_again.status == 200);
  CHECK(collect_again.replayed);
  CHECK(collect_again.body == collect.body);
  REQUIRE(f.tap().status == 200);

  const auto confirm = f.confirm(id);
  const auto confirm_again = f.confirm(id);
  CHECK(confirm_again.replayed);
  CHECK(confirm_again.body == confirm.body);
  CHECK(f.intent(id)["latest_charge"]["status"] == "succeeded");

  const std::string increment = increment_target(id);
  const auto raised = f.post(increment, {{"amount", "5000"}}, "s2:increment");
  CHECK(f.post(increment, {{"amount", "5000"}}, "s2:increment").body == raised.body);
  CHECK(f.intent(id)["amount"] == 5000);
}

TEST_CASE("a busy 400 is stored under its key: the retry needs the next try counter") {
  TerminalFixture f;
  const std::string other = f.arm("s1")["id"];
  const std::string mine = f.arm("s2")["id"];
  REQUIRE(f.collect(other).status == 200);
  const auto busy = f.reader_post("collect_payment_method", mine, "s2:collect:0");
  REQUIRE(busy.status == 400);
  REQUIRE(f.post(reader_target(kReader, "cancel_action"), {}, "s2:cancel_action:0").status == 200);
  const auto replayed = f.reader_post("collect_payment_method", mine, "s2:collect:0");
  CHECK(replayed.status == 400);
  CHECK(replayed.replayed);
  CHECK(f.reader_post("collect_payment_method", mine, "s2:collect:1").status == 200);
}

TEST_CASE("a reader action key reused with another intent, action or reader is an idempotency_error") {
  TerminalFixture f;
  const std::string a = f.arm("s1")["id"];
  const std::string b = f.arm("s2")["id"];
  REQUIRE(f.reader_post("collect_payment_method", a, "key").status == 200);
  const auto other_intent = f.reader_post("collect_payment_method", b, "key");
  CHECK(other_intent.status == 400);
  CHECK(error_of(other_intent)["type"] == "idempotency_error");
  const auto other_endpoint = f.reader_post("process_payment_intent", a, "key");
  CHECK(error_of(other_endpoint)["type"] == "idempotency_error");
  const auto other_reader = f.reader_post("collect_payment_method", a, "key", kOtherReader);
  CHECK(error_of(other_reader)["type"] == "idempotency_error");
  CHECK(f.ledger.terminal().readers()[1].action == std::nullopt);
}

TEST_CASE("Terminal POSTs need an Idempotency-Key, the simulated tap takes one if given") {
  TerminalFixture f;
  const std::string id = f.arm("s1")["id"];
  const auto keyless = f.ledger.handle(sim::GatewayRequest{"POST", reader_target(kReader, "collect_payment_method"),
                                                           bearer(), std::nullopt, form_encode({{"payment_intent", id}})});
  CHECK(keyless.status == 400);
  CHECK(error_of(keyless)["code"] == "idempotency_key_missing");
  CHECK(f.ledger.handle(sim::GatewayRequest{"POST", "/v1/customers", bearer(), std::nullopt, {}}).status == 400);
  CHECK(f.ledger.handle(sim::GatewayRequest{"POST", reader_target(kReader, "collect_payment_method"), "Bearer sk_x",
                                            "k", form_encode({{"payment_intent", id}})})
            .status == 401);

  REQUIRE(f.collect(id).status == 200);
  const auto tap = [&f] {
    return f.post(present_target(kReader), {{"card_present[number]", kVisa}}, "tap-1");
  };
  const auto first = tap();
  REQUIRE(first.status == 200);
  const auto again = tap();
  CHECK(again.replayed);
  CHECK(again.body == first.body);
}
