#include "tools/sim/gateway/ledger.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <string_view>

#include "common/form_encoding.hpp"
#include "tools/sim/gateway/params.hpp"

namespace passgate::sim {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxIdempotencyKey = 255;
constexpr std::string_view kVersionPrefix = "/v1/";
constexpr std::string_view kSearchPrefix = "metadata['session_id']:'";

struct TestPaymentMethod {
  const char* id;
  const char* decline_code;  // null: approves
  const char* message;
};

constexpr TestPaymentMethod kTestPaymentMethods[] = {
    {"pm_card_visa", nullptr, ""},
    {"pm_card_chargeDeclined", "generic_decline", "Your card was declined."},
    {"pm_card_chargeDeclinedInsufficientFunds", "insufficient_funds", "Your card has insufficient funds."},
};
constexpr TestPaymentMethod kSavedCard = {"", nullptr, ""};

// The parameters in a canonical form, so their order does not matter.
std::string canonical_params(const std::string& body) {
  auto fields = form_decode(body);
  if (!fields) return "undecodable:" + body;
  std::sort(fields->begin(), fields->end());
  return form_encode(*fields);
}

// The parts of a path after /v1/, split at '/'; nothing if another path or an empty part.
std::optional<std::vector<std::string>> route_of(std::string_view path) {
  if (!path.starts_with(kVersionPrefix)) return std::nullopt;
  std::vector<std::string> parts;
  for (std::string_view rest = path.substr(kVersionPrefix.size());;) {
    const auto slash = rest.find('/');
    parts.emplace_back(rest.substr(0, slash));
    if (parts.back().empty()) return std::nullopt;
    if (slash == std::string_view::npos) return parts;
    rest.remove_prefix(slash + 1);
  }
}

bool is_reader_action(const std::string& op) {
  return op == "collect_payment_method" || op == "confirm_payment_intent" || op == "process_payment_intent" ||
         op == "cancel_action";
}

// Whether `route` is a POST endpoint; `key_optional` set for the test helpers.
bool post_endpoint(const std::vector<std::string>& r, bool& key_optional) {
  key_optional = r.size() == 5 && r[0] == "test_helpers" && r[1] == "terminal" && r[2] == "readers" &&
                 r[4] == "present_payment_method";
  if (key_optional) return true;
  if (r[0] == "payment_intents") {
    return r.size() == 1 ||
           (r.size() == 3 && (r[2] == "capture" || r[2] == "cancel" || r[2] == "increment_authorization"));
  }
  if (r[0] == "customers") return r.size() == 1;
  return r.size() == 4 && r[0] == "terminal" && r[1] == "readers" && is_reader_action(r[3]);
}

GatewayReply unrecognized(const std::string& method, const std::string& path) {
  return api::invalid_request(
      404, "url_unrecognized",
      "Unrecognized request URL (" + method + ": " + path +
          "); this simulator serves POST /v1/payment_intents, POST /v1/payment_intents/{id}/capture, /cancel and "
          "/increment_authorization, GET /v1/payment_intents/search, GET /v1/payment_intents/{id}, POST "
          "/v1/customers, GET /v1/terminal/readers/{id}, POST /v1/terminal/readers/{id}/collect_payment_method, "
          "/confirm_payment_intent, /process_payment_intent and /cancel_action, POST "
          "/v1/test_helpers/terminal/readers/{id}/present_payment_method");
}

}  // namespace

std::string gateway_error_body(const std::string& type, const std::string& code, const std::string& message) {
  return api::error_json(type, code, message).dump();
}

GatewayReply GatewayLedger::handle(const GatewayRequest& request) {
  const auto question = request.target.find('?');
  const std::string path = request.target.substr(0, question);
  const std::string query = question == std::string::npos ? std::string() : request.target.substr(question + 1);

  if (!request.authorization) {
    return api::invalid_request(401, "api_key_missing", "no API key: send the header Authorization: Bearer <secret key>");
  }
  if (*request.authorization != "Bearer " + api_key_) {
    return api::invalid_request(401, "api_key_invalid", "invalid API key provided in the Authorization header");
  }

  const auto route = route_of(path);
  if (!route) return unrecognized(request.method, path);
  const auto& r = *route;
  if (request.method == "GET") {
    if (r.size() == 2 && r[0] == "payment_intents") return r[1] == "search" ? search(query) : show(r[1], query);
    if (r.size() == 3 && r[0] == "terminal" && r[1] == "readers") return terminal_.show_reader(r[2]);
    return unrecognized(request.method, path);
  }
  bool key_optional = false;
  if (request.method != "POST" || !post_endpoint(r, key_optional)) return unrecognized(request.method, path);

  const std::string key = request.idempotency_key.value_or("");
  if (key.empty() && key_optional && !request.idempotency_key) return execute(r, request.body);
  if (key.empty() || key.size() > kMaxIdempotencyKey) {
    return api::invalid_request(
        400, key.empty() ? "idempotency_key_missing" : "idempotency_key_invalid",
        "every POST needs an Idempotency-Key header of 1 to " + std::to_string(kMaxIdempotencyKey) + " characters");
  }
  const std::string endpoint = "POST " + path;
  std::string params = canonical_params(request.body);
  if (auto stored = stored_answer(key, endpoint, params)) return std::move(*stored);

  GatewayReply result = execute(r, request.body);
  responses_.emplace(key,
                     StoredResponse{endpoint, std::move(params), result.status, result.body, result.subject, false});
  result.stored_key = key;
  return result;
}

GatewayReply GatewayLedger::execute(const std::vector<std::string>& r, const std::string& body) {
  if (r[0] == "test_helpers") return terminal_.present(r[3], body);
  if (r[0] == "terminal") return terminal_.reader_action(r[2], r[3], body);
  if (r[0] == "customers") return terminal_.create_customer(body);
  if (r.size() == 1) {
    // A card-present hold names its payment method types; an off-session one its payment method.
    const auto fields = form_decode(body);
    const bool card_present = fields && std::any_of(fields->begin(), fields->end(), [](const auto& field) {
                                return field.first == "payment_method_types[]";
                              });
    return card_present ? terminal_.create_intent(body) : create_intent(body);
  }
  if (r[2] == "capture") return capture_intent(r[1], body);
  if (r[2] == "cancel") return cancel_intent(r[1], body);
  return terminal_.increment(r[1], body);
}

std::optional<GatewayReply> GatewayLedger::stored_answer(const std::string& key, const std::string& endpoint,
                                                         const std::string& params) const {
  const auto stored = responses_.find(key);
  if (stored == responses_.end()) return std::nullopt;
  const StoredResponse& first = stored->second;
  if (first.in_progress) {
    return api::invalid_request(
        409, "idempotency_key_in_use",
        "the first request with Idempotency-Key " + key + " is still in progress; retry later with the same key",
        json::object(), first.subject);
  }
  if (first.endpoint != endpoint || first.params != params) {
    return api::error_reply(400, "idempotency_error", "idempotency_key_reused",
                       "Keys for idempotent requests can only be used with the same parameters they were first "
                       "used with; " +
                           key + " was first used with " + first.endpoint +
                           (first.endpoint == endpoint ? " and other parameters" : ""),
                       json::object(), first.subject);
  }
  return GatewayReply{first.status, first.body, true, first.subject, {}};
}

GatewayReply GatewayLedger::create_intent(const std::string& body) {
  auto params = api::decode_params(body, "the body");
  if (!params) return api::bad_form(params.error());
  GatewayParams& p = params.value();
  GatewayIntent intent;
  intent.amount = p.positive_integer("amount", kMaxGatewayAmount);
  intent.currency = p.currency("currency");
  intent.customer = p.text("customer");
  intent.payment_method = p.text("payment_method");
  (void)p.one_of("confirm", {"true"});
  (void)p.one_of("off_session", {"true"});
  intent.capture_method = p.one_of("capture_method", {"manual", "automatic"});
  intent.session_id = p.text("metadata[session_id]");
  intent.gate_id = p.text("metadata[gate_id]");
  intent.op = p.one_of("metadata[op]", {"preauth", "charge"});
  intent.op_key = p.optional_text("metadata[op_key]").value_or("");
  if (!intent.op.empty() && !intent.capture_method.empty()) {
    const std::string needed = intent.op == "preauth" ? "manual" : "automatic";
    if (intent.capture_method != needed) {
      p.problem("metadata[op]", "parameter_invalid",
                "metadata[op]: " + intent.op + " needs capture_method=" + needed + ", got " + intent.capture_method);
    }
  }
  p.finish();
  if (!p.ok()) return api::bad_params(p);

  const auto* method = std::find_if(std::begin(kTestPaymentMethods), std::end(kTestPaymentMethods),
                                    [&intent](const TestPaymentMethod& m) { return intent.payment_method == m.id; });
  if (method == std::end(kTestPaymentMethods)) {
    const SavedCard* saved = terminal_.saved_card(intent.payment_method);
    if (saved == nullptr || saved->customer != intent.customer) {
      return api::invalid_request(400, "resource_missing",
                             "payment_method: no such PaymentMethod for this customer; the simulator knows "
                             "pm_card_visa, pm_card_chargeDeclined, pm_card_chargeDeclinedInsufficientFunds and the "
                             "generated_card of an approved card-present hold, for its customer",
                             json{{"param", "payment_method"}});
    }
    method = &kSavedCard;
  }

  const bool declined = method->decline_code != nullptr;
  if (declined) {
    intent.status = GatewayIntentStatus::requires_payment_method;
  } else if (intent.capture_method == "manual") {
    intent.status = GatewayIntentStatus::requires_capture;
    intent.amount_capturable = intent.amount;
  } else {
    intent.status = GatewayIntentStatus::succeeded;
    intent.amount_received = intent.amount;
  }
  const GatewayIntent& made = intents_.add(std::move(intent));
  if (declined) {
    return api::error_reply(402, "card_error", "card_declined", method->message,
                       json{{"decline_code", method->decline_code}, {"payment_intent", api::intent_json(made)}}, made.id);
  }
  return api::reply(200, api::intent_json(made), made.id);
}

GatewayReply GatewayLedger::capture_intent(const std::string& id, const std::string& body) {
  auto params = api::decode_params(body, "the body");
  if (!params) return api::bad_form(params.error());
  GatewayParams& p = params.value();
  const auto amount = p.optional_positive_integer("amount_to_capture", kMaxGatewayAmount);
  p.finish();
  if (!p.ok()) return api::bad_params(p);
  GatewayIntent* intent = intents_.find(id);
  if (intent == nullptr) return api::no_such_intent(id);
  if (intent->status != GatewayIntentStatus::requires_capture) {
    return api::unexpected_state(*intent, "captured", "requires_capture");
  }
  const std::int64_t captured = amount.value_or(intent->amount_capturable);
  if (captured > intent->amount_capturable) {
    return api::invalid_request(400, "amount_too_large",
                           "amount_to_capture: " + std::to_string(captured) + " is more than amount_capturable " +
                               std::to_string(intent->amount_capturable),
                           json{{"param", "amount_to_capture"}}, id);
  }
  intent->amount_received = captured;
  intent->amount_capturable = 0;
  intent->status = GatewayIntentStatus::succeeded;
  return api::reply(200, api::intent_json(*intent), id);
}

GatewayReply GatewayLedger::cancel_intent(const std::string& id, const std::string& body) {
  auto params = api::decode_params(body, "the body");
  if (!params) return api::bad_form(params.error());
  GatewayParams& p = params.value();
  const auto reason =
      p.optional_one_of("cancellation_reason", {"duplicate", "fraudulent", "requested_by_customer", "abandoned"});
  p.finish();
  if (!p.ok()) return api::bad_params(p);
  GatewayIntent* intent = intents_.find(id);
  if (intent == nullptr) return api::no_such_intent(id);
  if (intent->status == GatewayIntentStatus::succeeded || intent->status == GatewayIntentStatus::canceled) {
    return api::unexpected_state(*intent, "canceled",
                            "requires_payment_method, requires_confirmation or requires_capture");
  }
  intent->status = GatewayIntentStatus::canceled;
  intent->amount_capturable = 0;
  intent->cancellation_reason = reason.value_or("");
  terminal_.intent_canceled(id);
  return api::reply(200, api::intent_json(*intent), id);
}

GatewayReply GatewayLedger::search(const std::string& query) const {
  auto params = api::decode_params(query, "the query string");
  if (!params) return api::bad_form(params.error());
  GatewayParams& p = params.value();
  const std::string text = p.text("query");
  p.finish();
  if (!p.ok()) return api::bad_params(p);
  const std::string_view q = text;
  const bool shaped = q.size() > kSearchPrefix.size() + 1 && q.starts_with(kSearchPrefix) && q.ends_with('\'');
  const std::string session_id = shaped ? text.substr(kSearchPrefix.size(), q.size() - kSearchPrefix.size() - 1) : "";
  if (session_id.empty() || session_id.find('\'') != std::string::npos) {
    return api::invalid_request(
        400, "parameter_invalid",
        "query: the simulator answers only metadata['session_id']:'<session id>', got \"" + text + "\"",
        json{{"param", "query"}});
  }
  json data = json::array();
  for (const auto& intent : intents_.all()) {
    if (intent.session_id == session_id) data.push_back(api::intent_json(intent));
  }
  return api::reply(200, json{{"object", "search_result"},
                         {"url", "/v1/payment_intents/search"},
                         {"has_more", false},
                         {"next_page", nullptr},
                         {"data", std::move(data)}});
}

GatewayReply GatewayLedger::show(const std::string& id, const std::string& query) const {
  auto params = api::decode_params(query, "the query string");
  if (!params) return api::bad_form(params.error());
  GatewayParams& p = params.value();
  const bool expand = p.optional_one_of("expand[]", {"latest_charge"}).has_value();
  p.finish();
  if (!p.ok()) return api::bad_params(p);
  const GatewayIntent* intent = intents_.find(id);
  if (intent == nullptr) return api::no_such_intent(id);
  return api::reply(200, api::intent_json(*intent, expand), id);
}

void GatewayLedger::set_in_progress(const std::string& key, bool in_progress) {
  if (const auto it = responses_.find(key); it != responses_.end()) it->second.in_progress = in_progress;
}

void GatewayLedger::end_all_in_progress() {
  for (auto& [key, stored] : responses_) stored.in_progress = false;
}

std::size_t GatewayLedger::forget_keys() { return std::exchange(responses_, {}).size(); }

}  // namespace passgate::sim
