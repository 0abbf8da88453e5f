#include "tools/sim/gateway/api_reply.hpp"

#include <utility>

#include "common/form_encoding.hpp"

namespace passgate::sim::api {
namespace {

using nlohmann::json;

json charge_json(const GatewayIntent& intent, const CardPresentCharge& charge) {
  const TappedCard& card = charge.card;
  return json{
      {"id", charge.id},
      {"object", "charge"},
      {"amount", intent.amount},
      {"amount_captured", intent.amount_received},
      {"captured", intent.status == GatewayIntentStatus::succeeded},
      {"currency", intent.currency},
      {"paid", charge.succeeded},
      {"status", charge.succeeded ? "succeeded" : "failed"},
      {"failure_code", charge.succeeded ? json() : json("card_declined")},
      {"outcome",
       {{"type", charge.succeeded ? "authorized" : "issuer_declined"},
        {"reason", charge.succeeded ? json() : json(charge.decline_code)}}},
      {"payment_intent", intent.id},
      {"payment_method", card.payment_method},
      {"payment_method_details",
       {{"type", "card_present"},
        {"card_present",
         {{"brand", card.brand},
          {"last4", card.last4},
          {"fingerprint", card.fingerprint},
          {"read_method", "contactless_emv"},
          {"wallet", card.wallet ? json{{"type", "apple_pay"}} : json()},
          {"generated_card", charge.generated_card.empty() ? json() : json(charge.generated_card)},
          {"capture_before", charge.succeeded && charge.capture_before ? json(*charge.capture_before) : json()},
          {"incremental_authorization_supported", charge.incremental_supported}}}}},
      {"livemode", false}};
}

}  // namespace

json intent_json(const GatewayIntent& intent, bool expand_charge) {
  json body{{"id", intent.id},
            {"object", "payment_intent"},
            {"amount", intent.amount},
            {"amount_capturable", intent.amount_capturable},
            {"amount_received", intent.amount_received},
            {"currency", intent.currency},
            {"status", to_string(intent.status)},
            {"capture_method", intent.capture_method},
            {"customer", intent.customer},
            {"payment_method", intent.payment_method.empty() ? json() : json(intent.payment_method)},
            {"metadata", {{"session_id", intent.session_id}, {"gate_id", intent.gate_id}, {"op", intent.op}}},
            {"cancellation_reason", intent.cancellation_reason.empty() ? json() : json(intent.cancellation_reason)},
            {"created", intent.created},
            {"livemode", false}};
  if (!intent.op_key.empty()) body["metadata"]["op_key"] = intent.op_key;
  if (!intent.card_present) return body;
  const CardPresentIntent& card_present = *intent.card_present;
  body["metadata"]["lane"] = card_present.lane;
  body["payment_method_types"] = json::array({"card_present"});
  body["setup_future_usage"] = card_present.setup_future_usage ? json("off_session") : json();
  const auto& charge = card_present.latest_charge;
  body["latest_charge"] = !charge ? json() : expand_charge ? charge_json(intent, *charge) : json(charge->id);
  body["last_payment_error"] = json();
  if (charge && !charge->succeeded && intent.status == GatewayIntentStatus::requires_payment_method) {
    body["last_payment_error"] = {{"type", "card_error"},
                                  {"code", "card_declined"},
                                  {"decline_code", charge->decline_code},
                                  {"message", charge->failure_message}};
  }
  return body;
}

GatewayReply reply(int status, const json& body, std::string subject) {
  return GatewayReply{status, body.dump(), false, std::move(subject), {}};
}

json error_json(const std::string& type, const std::string& code, const std::string& message) {
  return json{{"error", {{"type", type}, {"code", code}, {"message", message}}}};
}

GatewayReply error_reply(int status, const char* type, const std::string& code, const std::string& message,
                         const json& extra, std::string subject) {
  json body = error_json(type, code, message);
  body["error"].update(extra);
  return reply(status, body, std::move(subject));
}

GatewayReply invalid_request(int status, const std::string& code, const std::string& message, const json& extra,
                             std::string subject) {
  return error_reply(status, "invalid_request_error", code, message, extra, std::move(subject));
}

GatewayReply bad_params(const GatewayParams& params) {
  std::string message;
  for (const auto& p : params.problems()) message += (message.empty() ? "" : "; ") + p.message;
  const auto& first = params.problems().front();
  return invalid_request(400, first.code, message, json{{"param", first.param}});
}

Result<GatewayParams> decode_params(const std::string& text, const char* what) {
  auto fields = form_decode(text);
  if (!fields) {
    return make_error("bad_form",
                      std::string(what) + " is not application/x-www-form-urlencoded: " + fields.error().message);
  }
  return GatewayParams(std::move(fields.value()));
}

GatewayReply bad_form(const Error& error) { return invalid_request(400, "parameter_invalid", error.message); }

GatewayReply no_such(const std::string& kind, const std::string& id, const std::string& param) {
  return invalid_request(404, "resource_missing", "No such " + kind + ": '" + id + "'", json{{"param", param}}, id);
}

GatewayReply no_such_intent(const std::string& id) { return no_such("payment_intent", id, "intent"); }

GatewayReply unexpected_state(const GatewayIntent& intent, const std::string& action, const char* allowed) {
  return invalid_request(400, "payment_intent_unexpected_state",
                         "This PaymentIntent's status is " + std::string(to_string(intent.status)) + "; it can be " +
                             action + " only from " + allowed,
                         json{{"payment_intent", intent_json(intent)}}, intent.id);
}

}  // namespace passgate::sim::api
