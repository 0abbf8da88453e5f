// GatewayClient over HTTPS with a CA made at test time: the gateway's chain and name are
// verified (a failure is `unknown`, nothing is sent), plain http is refused to a host that
// is not loopback, and bad settings are refused up front without showing the key.
#include <catch2/catch.hpp>

#include "tests/gateway_client/gateway_fixture.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_certs.hpp"

using Catch::Matchers::Contains;
using namespace passgate;
using namespace passgate::test;

namespace {

struct Pki {
  TempDir dir;
  TestPki ca{dir.path(), "gateway"};
  PemPair server = ca.issue_server("gateway", {"localhost"}, {"127.0.0.1"});
  drivers::TlsServerFiles server_files{server.cert, server.key, {}};
};

}  // namespace

TEST_CASE("https with the gateway's CA succeeds by host name and by address, on one kept-alive connection") {
  Pki pki;
  ScriptedGateway gateway(&pki.server_files);
  for (const char* host : {"localhost", "127.0.0.1"}) {
    INFO(host);
    auto client = gateway.client(drivers::GatewayClientOptions{gateway.base_url("https", host), kApiKey, pki.ca.ca_file()});
    const auto before = gateway.server->connections_accepted();
    for (int i = 0; i < 2; ++i) {
      gateway.will_answer(200, intent_json("pi_1", "succeeded"));
      const PaymentOutcome outcome = gateway.execute(*client, payment_request(PaymentOpKind::charge));
      CHECK(outcome.kind == PaymentOutcomeKind::succeeded);
    }
    CHECK(gateway.server->connections_accepted() == before + 1);
  }
  REQUIRE(gateway.calls.size() == 4);
  CHECK(gateway.calls[3].header("Authorization") == "Bearer " + kApiKey);
}

TEST_CASE("a gateway certificate from another CA fails verification: unknown, nothing sent") {
  Pki pki;
  TestPki stranger(pki.dir.path(), "stranger");
  ScriptedGateway gateway(&pki.server_files);
  auto client = gateway.client(drivers::GatewayClientOptions{gateway.base_url("https"), kApiKey, stranger.ca_file()});
  const PaymentOutcome outcome = gateway.execute(*client, payment_request(PaymentOpKind::charge));
  CHECK(outcome.kind == PaymentOutcomeKind::unknown);
  CHECK_THAT(outcome.error, Contains("TLS handshake") && Contains("certificate verify failed"));
  CHECK(gateway.calls.empty());
}

TEST_CASE("a gateway certificate for another name fails verification") {
  Pki pki;
  const PemPair elsewhere = pki.ca.issue_server("elsewhere", {"api.elsewhere.example"}, {});
  const drivers::TlsServerFiles files{elsewhere.cert, elsewhere.key, {}};
  ScriptedGateway gateway(&files);
  auto client = gateway.client(drivers::GatewayClientOptions{gateway.base_url("https", "localhost"), kApiKey, pki.ca.ca_file()});
  const PaymentOutcome outcome = gateway.execute(*client, payment_request(PaymentOpKind::charge));
  CHECK(outcome.kind == PaymentOutcomeKind::unknown);
  CHECK_THAT(outcome.error, Contains("hostname mismatch"));
  CHECK(gateway.calls.empty());
}

TEST_CASE("plain http is refused for a gateway that is not on loopback") {
  boost::asio::io_context io;
  auto refused = drivers::GatewayClient::create(io, {"http://api.stripe.com", kApiKey, {}});
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == "insecure_url");
  CHECK_THAT(refused.error().message, Contains("payment gateway: ") && Contains("loopback") && Contains("https://"));
  CHECK(drivers::GatewayClient::create(io, {"http://127.0.0.1:12111", kApiKey, {}}));
}

TEST_CASE("the default base URL is Stripe's, over https") {
  CHECK(drivers::GatewayClientOptions{}.base_url == "https://api.stripe.com");
}

TEST_CASE("settings that cannot work are refused up front, never showing the key") {
  Pki pki;
  boost::asio::io_context io;
  SECTION("a missing CA bundle") {
    auto made = drivers::GatewayClient::create(io, {"https://api.stripe.com", kApiKey, pki.dir / "missing-ca.pem"});
    REQUIRE_FALSE(made);
    CHECK(made.error().code == "tls_file");
    CHECK_THAT(made.error().message, Contains("payment gateway: ") && Contains("missing-ca.pem"));
  }
  SECTION("a malformed base URL") {
    auto made = drivers::GatewayClient::create(io, {"ftp://api.stripe.com", kApiKey, {}});
    REQUIRE_FALSE(made);
    CHECK(made.error().code == "bad_url");
  }
  SECTION("an empty API key") {
    auto made = drivers::GatewayClient::create(io, {"https://api.stripe.com", "", {}});
    REQUIRE_FALSE(made);
    CHECK(made.error().code == "bad_api_key");
    CHECK_THAT(made.error().message, Contains("empty"));
  }
  SECTION("an API key with the key file's trailing newline") {
    auto made = drivers::GatewayClient::create(io, {"https://api.stripe.com", kApiKey + "\n", {}});
    REQUIRE_FALSE(made);
    CHECK(made.error().code == "bad_api_key");
    CHECK_THAT(made.error().message, Contains("at offset " + std::to_string(kApiKey.size())) && Contains("newline"));
    CHECK_THAT(made.error().message, !Contains(kApiKey));
  }
}
