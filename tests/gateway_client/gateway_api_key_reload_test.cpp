// A config reload gives the GatewayClient a new API key (set_api_key): every request sent
// from then on carries it, a request already sent is still redacted for the key it carried,
// and a key that cannot be sent is refused before it is used (check_api_key).
#include <catch2/catch.hpp>

#include "tests/gateway_client/gateway_fixture.hpp"

using Catch::Matchers::Contains;
using namespace passgate;
using namespace passgate::test;

namespace {

const std::string kNewApiKey = "sk_test_rotated_key_0002";

}  // namespace

TEST_CASE("a new API key is sent from the next request on") {
  ScriptedGateway gateway;
  auto client = gateway.client();
  (void)gateway.execute(*client, payment_request(PaymentOpKind::charge));
  CHECK(client->set_api_key(kNewApiKey));
  CHECK_FALSE(client->set_api_key(kNewApiKey));  // the same key again: nothing changed
  (void)gateway.execute(*client, payment_request(PaymentOpKind::charge));
  (void)gateway.search(*client, kSessionId);
  REQUIRE(gateway.calls.size() == 3);
  CHECK(gateway.calls[0].header("Authorization") == "Bearer " + kApiKey);
  CHECK(gateway.calls[1].header("Authorization") == "Bearer " + kNewApiKey);
  CHECK(gateway.calls[2].header("Authorization") == "Bearer " + kNewApiKey);
}

TEST_CASE("a reply to a request sent with the old key is redacted for that key") {
  ScriptedGateway gateway;
  gateway.will_answer(401, error_json("invalid_request_error", "", "", "Invalid API Key provided: " + kApiKey));
  auto client = gateway.client();
  auto outcome = await_reply<PaymentOutcome>(gateway.io, [&](auto done) {
    client->execute(payment_request(PaymentOpKind::charge), 5s, done);
    CHECK(client->set_api_key(kNewApiKey));  // replaced while the request is under way
  });
  REQUIRE(outcome);
  INFO(outcome->error);
  CHECK_THAT(outcome->error, !Contains(kApiKey));
}

TEST_CASE("an API key that cannot go into a header is refused without being shown") {
  const auto refused = drivers::GatewayClient::check_api_key("sk_test with space");
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == "bad_api_key");
  CHECK_THAT(refused.error().message, !Contains("sk_test"));
  CHECK_FALSE(drivers::GatewayClient::check_api_key("").ok());
  CHECK(drivers::GatewayClient::check_api_key(kNewApiKey).ok());
}
