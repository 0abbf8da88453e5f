// For the gateway simulator tests: the create parameters the gate sends, a GatewayLedger
// driven directly (LedgerFixture), and a GatewayServer on loopback driven over real HTTP
// (ServerFixture).
#pragma once

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>

#include "common/form_encoding.hpp"
#include "common/ids.hpp"
#include "tests/gateway_sim/test_http.hpp"
#include "tests/support/run_until.hpp"
#include "tools/sim/gateway/server.hpp"

namespace passgate::test {

using nlohmann::json;
using namespace std::chrono_literals;

inline constexpr const char* kApiKey = "sk_test_sim_4eC39HqLyjWDarjtT1zdp7dc";
inline constexpr const char* kCustomer = "cus_secret_shopper_9f2";
inline constexpr const char* kCreate = "/v1/payment_intents";

inline std::string bearer() { return std::string("Bearer ") + kApiKey; }

// POST /v1/payment_intents's parameters for `op` (preauth: manual capture, charge: automatic).
inline FormFields intent_fields(const std::string& session_id, const std::string& op = "charge",
                                std::int64_t amount = 1250, const std::string& payment_method = "pm_card_visa") {
  return {{"amount", std::to_string(amount)},
          {"currency", "usd"},
          {"customer", kCustomer},
          {"payment_method", payment_method},
          {"confirm", "true"},
          {"off_session", "true"},
          {"capture_method", op == "preauth" ? "manual" : "automatic"},
          {"metadata[session_id]", session_id},
          {"metadata[gate_id]", "gate-a"},
          {"metadata[op]", op}};
}

inline std::string capture_target(const std::string& id) { return std::string(kCreate) + "/" + id + "/capture"; }
inline std::string cancel_target(const std::string& id) { return std::string(kCreate) + "/" + id + "/cancel"; }
inline std::string search_target(const std::string& session_id) {
  return std::string(kCreate) + "/search?query=" + percent_encode("metadata['session_id']:'" + session_id + "'");
}

// The "error" member of an error answer.
inline json error_of(const sim::GatewayReply& reply) { return json::parse(reply.body).at("error"); }

class LedgerFixture {
 public:
  sim::GatewayReply post(const std::string& target, const FormFields& fields, const std::string& key) {
    return ledger.handle(sim::GatewayRequest{"POST", target, bearer(), key, form_encode(fields)});
  }
  sim::GatewayReply get(const std::string& target) {
    return ledger.handle(sim::GatewayRequest{"GET", target, bearer(), std::nullopt, {}});
  }
  // Creates an intent that must succeed; its JSON.
  json create(const std::string& session_id, const std::string& op = "charge", std::int64_t amount = 1250) {
    const auto reply = post(kCreate, intent_fields(session_id, op, amount), session_id + ":" + op);
    REQUIRE(reply.status == 200);
    return json::parse(reply.body);
  }

  sim::GatewayLedger ledger{kApiKey};
};

class ServerFixture {
 public:
  // `options` without an API key: kApiKey.
  explicit ServerFixture(sim::GatewayServerOptions options = {}) {
    if (options.api_key.empty()) options.api_key = kApiKey;
    auto made = sim::GatewayServer::create(io, std::move(options));
    if (!made) FAIL(made.error().message);
    server = std::move(made.value());
  }

  // Starts a request to the API (with the API key); `into` gets the reply once it is there.
  void start(TestHttpRequest request, std::optional<TestHttpReply>& into) {
    request.headers.emplace_back("Authorization", bearer());
    send_test_request(io, server->port(), std::move(request), [&into](TestHttpReply r) { into = std::move(r); });
  }
  TestHttpReply api(TestHttpRequest request) {
    std::optional<TestHttpReply> reply;
    start(std::move(request), reply);
    REQUIRE(run_until(io, [&reply] { return reply.has_value(); }));
    return *reply;
  }
  static TestHttpRequest post_request(const std::string& target, const FormFields& fields, const std::string& key) {
    return TestHttpRequest{"POST", target, {{"Idempotency-Key", key}}, form_encode(fields)};
  }
  TestHttpReply post(const std::string& target, const FormFields& fields, const std::string& key) {
    return api(post_request(target, fields, key));
  }
  TestHttpReply get(const std::string& target) { return api(TestHttpRequest{"GET", target, {}, {}}); }

  TestHttpReply control(const std::string& method, const std::string& target, const std::string& body = {}) {
    auto reply = await_reply<TestHttpReply>(io, [&](auto done) {
      send_test_request(io, server->control_port(),
                        TestHttpRequest{method, target, {{"Content-Type", "application/json"}}, body}, done);
    });
    REQUIRE(reply);
    return *reply;
  }
  json ledger() {
    const auto reply = control("GET", "/control/ledger");
    REQUIRE(reply.status == 200);
    return json::parse(reply.body);
  }

  boost::asio::io_context io;  // first member: destroyed last
  std::unique_ptr<sim::GatewayServer> server;
};

}  // namespace passgate::test
