// For the gateway client tests: a scripted gateway on loopback
// (tests/support/scripted_http_server.hpp), GatewayClients pointed at it, request-and-wait
// helpers, and the test's payment requests with recognisable secrets.
#pragma once

#include <catch2/catch.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>

#include "ports/payment_gateway.hpp"
#include "drivers/gateway_client.hpp"
#include "tests/support/run_until.hpp"
#include "tests/support/scripted_http_server.hpp"

namespace passgate::test {

using passgate::PaymentOpKind;
using passgate::PaymentOutcome;
using passgate::PaymentOutcomeKind;
using passgate::PaymentRequest;
using namespace std::chrono_literals;

// Secrets: none of them may ever show in an outcome's text.
inline const std::string kApiKey = "sk_test_51SeCrEtApIkEy";
inline const std::string kCustomer = "cus_SeCrEtCuStOmEr";
inline const std::string kPaymentMethod = "pm_SeCrEtMeThOd";

inline const std::string kSessionId = "7f3e9a52-1c1d-4b8e-9d5e-0a1b2c3d4e5f";
inline const std::string kHoldId = "pi_3HoldIntent";

// A complete request for `op`: 1500 USD cents (capture: 1200 of the hold kHoldId; increment:
// that hold raised to 2000).
inline PaymentRequest payment_request(PaymentOpKind op) {
  PaymentRequest request;
  request.op = op;
  request.idempotency_key = kSessionId + ":" + std::string(to_string(op));
  request.session_id = kSessionId;
  request.gate_id = "gate-a";
  request.amount_minor = op == PaymentOpKind::capture ? 1200 : op == PaymentOpKind::increment ? 2000 : 1500;
  request.currency = "USD";
  request.customer = kCustomer;
  request.payment_method = kPaymentMethod;
  if (acts_on_hold(op)) request.intent_id = kHoldId;
  return request;
}

// A PaymentIntent as the gateway returns it.
inline std::string intent_json(const std::string& id, const std::string& status, std::int64_t amount = 1500,
                               const std::string& op = "charge") {
  return R"({"id":")" + id + R"(","object":"payment_intent","amount":)" + std::to_string(amount) +
         R"(,"amount_capturable":0,"amount_received":)" + std::to_string(amount) + R"(,"currency":"usd","status":")" +
         status + R"(","metadata":{"session_id":")" + kSessionId + R"(","gate_id":"gate-a","op":")" + op + R"("}})";
}

// The PaymentIntent an honest gateway returns for `request` (a hold of 1500 for capture and
// void, raised to the new amount by an increment), as JSON for a test to change.
inline nlohmann::json honest_intent(const PaymentRequest& request) {
  const bool on_hold = acts_on_hold(request.op);
  const bool held = request.op == PaymentOpKind::preauth || request.op == PaymentOpKind::increment;
  const std::int64_t amount = on_hold && request.op != PaymentOpKind::increment ? 1500 : request.amount_minor;
  const auto received = request.op == PaymentOpKind::charge    ? amount
                        : request.op == PaymentOpKind::capture ? request.amount_minor
                                                               : 0;
  const char* status = held                                     ? "requires_capture"
                       : request.op == PaymentOpKind::void_hold ? "canceled"
                                                                : "succeeded";
  return {{"id", on_hold ? request.intent_id : "pi_3NewIntent"},
          {"object", "payment_intent"},
          {"amount", amount},
          {"amount_capturable", held ? amount : 0},
          {"amount_received", received},
          {"currency", "usd"},
          {"status", status},
          {"metadata",
           {{"session_id", request.session_id},
            {"gate_id", request.gate_id},
            {"op", on_hold ? "preauth" : std::string(to_string(request.op))}}}};
}
inline std::string honest_intent_json(PaymentOpKind op) { return honest_intent(payment_request(op)).dump(); }

// {"error":{...}} with the members that are not empty.
inline std::string error_json(const std::string& type, const std::string& code, const std::string& decline_code,
                              const std::string& message) {
  std::string members = R"("type":")" + type + R"(")";
  if (!code.empty()) members += R"(,"code":")" + code + R"(")";
  if (!decline_code.empty()) members += R"(,"decline_code":")" + decline_code + R"(")";
  if (!message.empty()) members += R"(,"message":")" + message + R"(")";
  return R"({"error":{)" + members + "}}";
}

class ScriptedGateway : public ScriptedHttpServer {
 public:
  using ScriptedHttpServer::ScriptedHttpServer;

  [[nodiscard]] std::unique_ptr<drivers::GatewayClient> client(drivers::GatewayClientOptions options) {
    auto made = drivers::GatewayClient::create(io, std::move(options));
    if (!made) FAIL(made.error().message);
    return std::move(made.value());
  }
  // A client for this gateway over plain http with the test's API key, on `clock`'s time.
  [[nodiscard]] std::unique_ptr<drivers::GatewayClient> client_on(const Clock& clock) {
    auto made = drivers::GatewayClient::create(io, drivers::GatewayClientOptions{base_url(), kApiKey, {}}, clock);
    if (!made) FAIL(made.error().message);
    return std::move(made.value());
  }
  // A client for this gateway over plain http with the test's API key.
  [[nodiscard]] std::unique_ptr<drivers::GatewayClient> client() {
    return client(drivers::GatewayClientOptions{base_url(), kApiKey, {}});
  }

  PaymentOutcome execute(passgate::PaymentGateway& gateway, const PaymentRequest& request,
                         std::chrono::milliseconds timeout = 5s) {
    auto outcome = await_reply<PaymentOutcome>(io, [&](auto done) { gateway.execute(request, timeout, done); });
    REQUIRE(outcome);
    return *outcome;
  }

  PaymentOutcome search(passgate::PaymentGateway& gateway, const std::string& session_id,
                        std::chrono::milliseconds timeout = 5s) {
    auto outcome = await_reply<PaymentOutcome>(io, [&](auto done) { gateway.search_session(session_id, timeout, done); });
    REQUIRE(outcome);
    return *outcome;
  }

  PaymentOutcome read(passgate::PaymentGateway& gateway, const std::string& session_id, const std::string& intent_id,
                      std::chrono::milliseconds timeout = 5s) {
    auto outcome = await_reply<PaymentOutcome>(
        io, [&](auto done) { gateway.read_intent(session_id, intent_id, timeout, done); });
    REQUIRE(outcome);
    return *outcome;
  }

  // Answers the next request with `status` and `body` and returns the outcome of `op`.
  PaymentOutcome outcome_of(int status, std::string body, PaymentOpKind op = PaymentOpKind::charge) {
    will_answer(status, std::move(body));
    auto gateway = client();
    return execute(*gateway, payment_request(op));
  }
};

}  // namespace passgate::test
