// The gateway simulator's API answers, shared by its endpoints (GatewayLedger for the
// PaymentIntents, TerminalDesk for customers and readers): the PaymentIntent's JSON and the
// Stripe-style error bodies {"error":{"type","code","message"[,"param"][,"decline_code"]
// [,"payment_intent"]}}. Messages never quote a customer or a payment method.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "common/result.hpp"
#include "tools/sim/gateway/intent.hpp"
#include "tools/sim/gateway/params.hpp"

namespace passgate::sim {

struct GatewayReply {
  int status = 0;
  std::string body;       // JSON
  bool replayed = false;  // a stored response: send Idempotent-Replayed: true
  std::string subject;    // the PaymentIntent (or reader) the request was about, if any, for logs
  // Set when this request executed and stored its response under its Idempotency-Key.
  std::string stored_key;
};

namespace api {

// The PaymentIntent's JSON; a card-present one has payment_method_types, setup_future_usage,
// last_payment_error and latest_charge (its id, or with `expand_charge` the charge with
// payment_method_details.card_present).
[[nodiscard]] nlohmann::json intent_json(const GatewayIntent& intent, bool expand_charge = false);

[[nodiscard]] GatewayReply reply(int status, const nlohmann::json& body, std::string subject = {});
[[nodiscard]] nlohmann::json error_json(const std::string& type, const std::string& code, const std::string& message);
// An error body plus any `extra` members of "error" (param, decline_code, ...).
[[nodiscard]] GatewayReply error_reply(int status, const char* type, const std::string& code,
                                       const std::string& message, const nlohmann::json& extra = nlohmann::json::object(),
                                       std::string subject = {});
[[nodiscard]] GatewayReply invalid_request(int status, const std::string& code, const std::string& message,
                                           const nlohmann::json& extra = nlohmann::json::object(),
                                           std::string subject = {});
// A 400 naming the first bad parameter (`param`, `code`) and every problem in `message`.
// REQUIRES: !params.ok().
[[nodiscard]] GatewayReply bad_params(const GatewayParams& params);
// `what`: "the body" or "the query string". Error code "bad_form".
[[nodiscard]] Result<GatewayParams> decode_params(const std::string& text, const char* what);
[[nodiscard]] GatewayReply bad_form(const Error& error);
// 404 resource_missing: "No such <kind>: '<id>'", param `param`.
[[nodiscard]] GatewayReply no_such(const std::string& kind, const std::string& id, const std::string& param);
[[nodiscard]] GatewayReply no_such_intent(const std::string& id);
// 400 payment_intent_unexpected_state with the intent.
[[nodiscard]] GatewayReply unexpected_state(const GatewayIntent& intent, const std::string& action,
                                            const char* allowed);

}  // namespace api
}  // namespace passgate::sim
