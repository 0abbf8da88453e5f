#include "tools/sim/gateway/ledger.hpp"

#include <algorithm>
#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <string_view>

#include "common/form_encoding.hpp"
#include "common/ids.hpp"
#include "tools/sim/gateway/params.hpp"

namespace passgate::sim {
namespace {

using nlohmann::json;

constexpr std::int64_t kMaxAmount = 99'999'999;  // Stripe's limit: eight digits
constexpr std::size_t kMaxIdempotencyKey = 255;
constexpr std::string_view kCollection = "/v1/payment_intents";
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

json intent_json(const GatewayIntent& intent) {
  return json{{"id", intent.id},
              {"object", "payment_intent"},
              {"amount", intent.amount},
              {"amount_capturable", intent.amount_capturable},
              {"amount_received", intent.amount_received},
              {"currency", intent.currency},
              {"status", to_string(intent.status)},
              {"capture_method", intent.capture_method},
              {"customer", intent.customer},
              {"payment_method", intent.payment_method},
              {"metadata", {{"session_id", intent.session_id}, {"gate_id", intent.gate_id}, {"op", intent.op}}},
              {"cancellation_reason", intent.cancellation_reason.empty() ? json() : json(intent.cancellation_reason)},
              {"created", intent.created},
              {"livemode", false}};
}

GatewayReply reply(int status, const json& body, std::string subject = {}) {
  return GatewayReply{status, body.dump(), false, std::move(subject), {}};
}

json error_json(const std::string& type, const std::string& code, const std::string& message) {
  return json{{"error", {{"type", type}, {"code", code}, {"message", message}}}};
}

// An error body plus any `extra` members of "error" (param, decline_code, ...).
GatewayReply error_reply(int status, const char* type, const std::string& code, const std::string& message,
                         const json& extra = json::object(), std::string subject = {}) {
  json body = error_json(type, code, message);
  body["error"].update(extra);
  return reply(status, body, std::move(subject));
}

GatewayReply invalid_request(int status, const std::string& code, const std::string& message,
                             const json& extra = json::object(), std::string subject = {}) {
  return error_reply(status, "invalid_request_error", code, message, extra, std::move(subject));
}

// A 400 naming the first bad parameter (`param`, `code`) and every problem in `message`.
GatewayReply bad_params(const GatewayParams& params) {
  std::string message;
  for (const auto& p : params.problems()) message += (message.empty() ? "" : "; ") + p.message;
  const auto& first = params.problems().front();
  return invalid_request(400, first.code, message, json{{"param", first.param}});
}

// `what`: "the body" or "the query string".
Result<GatewayParams> decode_params(const std::string& text, const char* what) {
  auto fields = form_decode(text);
  if (!fields) {
    return make_error("bad_form",
                      std::string(what) + " is not application/x-www-form-urlencoded: " + fields.error().message);
  }
  return GatewayParams(std::move(fields.value()));
}

GatewayReply bad_form(const Error& error) { return invalid_request(400, "parameter_invalid", error.message); }

GatewayReply no_such_intent(const std::string& id) {
  return invalid_request(404, "resource_missing", "No such payment_intent: '" + id + "'", json{{"param", "intent"}},
                         id);
}

GatewayReply unexpected_state(const GatewayIntent& intent, const std::string& action, const char* allowed) {
  return invalid_request(400, "payment_intent_unexpected_state",
                         "This PaymentIntent's status is " + std::string(to_string(intent.status)) + "; it can be " +
                             action + " only from " + allowed,
                         json{{"payment_intent", intent_json(intent)}}, intent.id);
}

// The parameters in a canonical form, so their order does not matter.
std::string canonical_params(const std::string& body) {
  auto fields = form_decode(body);
  if (!fields) return "undecodable:" + body;
  std::sort(fields->begin(), fields->end());
  return form_encode(*fields);
}

std::string new_intent_id() {
  std::string id = "pi_";
  for (const char c : new_uuid_v4()) {
    if (c != '-') id.push_back(c);
  }
  return id;
}

std::int64_t now_unix_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace

std::string gateway_error_body(const std::string& type, const std::string& code, const std::string& message) {
  return error_json(type, code, message).dump();
}

const char* to_string(GatewayIntentStatus status) {
  switch (status) {
    case GatewayIntentStatus::requires_capture: return "requires_capture";
    case GatewayIntentStatus::succeeded: return "succeeded";
    case GatewayIntentStatus::canceled: return "canceled";
    case GatewayIntentStatus::requires_payment_method: break;
  }
  return "requires_payment_method";
}

GatewayReply GatewayLedger::handle(const GatewayRequest& request) {
  const auto question = request.target.find('?');
  const std::string path = request.target.substr(0, question);
  const std::string query = question == std::string::npos ? std::string() : request.target.substr(question + 1);

  if (!request.authorization) {
    return invalid_request(401, "api_key_missing", "no API key: send the header Authorization: Bearer <secret key>");
  }
  if (*request.authorization != "Bearer " + api_key_) {
    return invalid_request(401, "api_key_invalid", "invalid API key provided in the Authorization header");
  }

  // "" (the collection), "ID", "ID/capture", ...
  std::optional<std::string> rest;
  if (path == kCollection) rest = "";
  if (path.size() > kCollection.size() + 1 && path.starts_with(kCollection) && path[kCollection.size()] == '/') {
    rest = path.substr(kCollection.size() + 1);
  }
  const auto slash = rest ? rest->find('/') : std::string::npos;
  const std::string id = rest ? rest->substr(0, slash) : std::string();
  const std::string action = slash == std::string::npos ? std::string() : rest->substr(slash + 1);

  if (request.method == "GET" && rest && !id.empty() && slash == std::string::npos) {
    return id == "search" ? search(query) : show(id);
  }
  const bool post_endpoint = request.method == "POST" && rest &&
                             (rest->empty() || (!id.empty() && (action == "capture" || action == "cancel")));
  if (!post_endpoint) {
    return invalid_request(404, "url_unrecognized",
                           "Unrecognized request URL (" + request.method + ": " + path +
                               "); this simulator serves POST /v1/payment_intents, POST /v1/payment_intents/{id}/"
                               "capture, POST /v1/payment_intents/{id}/cancel, GET /v1/payment_intents/search, "
                               "GET /v1/payment_intents/{id}");
  }

  const std::string key = request.idempotency_key.value_or("");
  if (key.empty() || key.size() > kMaxIdempotencyKey) {
    return invalid_request(
        400, key.empty() ? "idempotency_key_missing" : "idempotency_key_invalid",
        "every POST needs an Idempotency-Key header of 1 to " + std::to_string(kMaxIdempotencyKey) + " characters");
  }
  const std::string endpoint = "POST " + path;
  std::string params = canonical_params(request.body);
  if (auto stored = stored_answer(key, endpoint, params)) return std::move(*stored);

  GatewayReply result = rest->empty()         ? create_intent(request.body)
                        : action == "capture" ? capture_intent(id, request.body)
                                              : cancel_intent(id, request.body);
  responses_.emplace(key,
                     StoredResponse{endpoint, std::move(params), result.status, result.body, result.subject, false});
  result.stored_key = key;
  return result;
}

std::optional<GatewayReply> GatewayLedger::stored_answer(const std::string& key, const std::string& endpoint,
                                                         const std::string& params) const {
  const auto stored = responses_.find(key);
  if (stored == responses_.end()) return std::nullopt;
  const StoredResponse& first = stored->second;
  if (first.in_progress) {
    return invalid_request(
        409, "idempotency_key_in_use",
        "the first request with Idempotency-Key " + key + " is still in progress; retry later with the same key",
        json::object(), first.subject);
  }
  if (first.endpoint != endpoint || first.params != params) {
    return error_reply(400, "idempotency_error", "idempotency_key_reused",
                       "Keys for idempotent requests can only be used with the same parameters they were first "
                       "used with; " +
                           key + " was first used with " + first.endpoint +
                           (first.endpoint == endpoint ? " and other parameters" : ""),
                       json::object(), first.subject);
  }
  return GatewayReply{first.status, first.body, true, first.subject, {}};
}

GatewayReply GatewayLedger::create_intent(const std::string& body) {
  auto params = decode_params(body, "the body");
  if (!params) return bad_form(params.error());
  GatewayParams& p = params.value();
  GatewayIntent intent;
  intent.amount = p.positive_integer("amount", kMaxAmount);
  intent.currency = p.currency("currency");
  intent.customer = p.text("customer");
  intent.payment_method = p.text("payment_method");
  (void)p.one_of("confirm", {"true"});
  (void)p.one_of("off_session", {"true"});
  intent.capture_method = p.one_of("capture_method", {"manual", "automatic"});
  intent.session_id = p.text("metadata[session_id]");
  intent.gate_id = p.text("metadata[gate_id]");
  intent.op = p.one_of("metadata[op]", {"preauth", "charge"});
  if (!intent.op.empty() && !intent.capture_method.empty()) {
    const std::string needed = intent.op == "preauth" ? "manual" : "automatic";
    if (intent.capture_method != needed) {
      p.problem("metadata[op]", "parameter_invalid",
                "metadata[op]: " + intent.op + " needs capture_method=" + needed + ", got " + intent.capture_method);
    }
  }
  p.finish();
  if (!p.ok()) return bad_params(p);

  const auto* method = std::find_if(std::begin(kTestPaymentMethods), std::end(kTestPaymentMethods),
                                    [&intent](const TestPaymentMethod& m) { return intent.payment_method == m.id; });
  if (method == std::end(kTestPaymentMethods)) {
    return invalid_request(400, "resource_missing",
                           "payment_method: no such PaymentMethod; the simulator knows pm_card_visa, "
                           "pm_card_chargeDeclined and pm_card_chargeDeclinedInsufficientFunds",
                           json{{"param", "payment_method"}});
  }

  intent.id = new_intent_id();
  intent.created = now_unix_seconds();
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
  intent_index_.emplace(intent.id, intents_.size());
  intents_.push_back(std::move(intent));
  const GatewayIntent& made = intents_.back();
  if (declined) {
    return error_reply(402, "card_error", "card_declined", method->message,
                       json{{"decline_code", method->decline_code}, {"payment_intent", intent_json(made)}}, made.id);
  }
  return reply(200, intent_json(made), made.id);
}

GatewayReply GatewayLedger::capture_intent(const std::string& id, const std::string& body) {
  auto params = decode_params(body, "the body");
  if (!params) return bad_form(params.error());
  GatewayParams& p = params.value();
  const auto amount = p.optional_positive_integer("amount_to_capture", kMaxAmount);
  p.finish();
  if (!p.ok()) return bad_params(p);
  GatewayIntent* intent = find(id);
  if (intent == nullptr) return no_such_intent(id);
  if (intent->status != GatewayIntentStatus::requires_capture) {
    return unexpected_state(*intent, "captured", "requires_capture");
  }
  const std::int64_t captured = amount.value_or(intent->amount_capturable);
  if (captured > intent->amount_capturable) {
    return invalid_request(400, "amount_too_large",
                           "amount_to_capture: " + std::to_string(captured) + " is more than amount_capturable " +
                               std::to_string(intent->amount_capturable),
                           json{{"param", "amount_to_capture"}}, id);
  }
  intent->amount_received = captured;
  intent->amount_capturable = 0;
  intent->status = GatewayIntentStatus::succeeded;
  return reply(200, intent_json(*intent), id);
}

GatewayReply GatewayLedger::cancel_intent(const std::string& id, const std::string& body) {
  auto params = decode_params(body, "the body");
  if (!params) return bad_form(params.error());
  GatewayParams& p = params.value();
  const auto reason =
      p.optional_one_of("cancellation_reason", {"duplicate", "fraudulent", "requested_by_customer", "abandoned"});
  p.finish();
  if (!p.ok()) return bad_params(p);
  GatewayIntent* intent = find(id);
  if (intent == nullptr) return no_such_intent(id);
  if (intent->status != GatewayIntentStatus::requires_capture &&
      intent->status != GatewayIntentStatus::requires_payment_method) {
    return unexpected_state(*intent, "canceled", "requires_capture or requires_payment_method");
  }
  intent->status = GatewayIntentStatus::canceled;
  intent->amount_capturable = 0;
  intent->cancellation_reason = reason.value_or("");
  return reply(200, intent_json(*intent), id);
}

GatewayReply GatewayLedger::search(const std::string& query) const {
  auto params = decode_params(query, "the query string");
  if (!params) return bad_form(params.error());
  GatewayParams& p = params.value();
  const std::string text = p.text("query");
  p.finish();
  if (!p.ok()) return bad_params(p);
  const std::string_view q = text;
  const bool shaped = q.size() > kSearchPrefix.size() + 1 && q.starts_with(kSearchPrefix) && q.ends_with('\'');
  const std::string session_id = shaped ? text.substr(kSearchPrefix.size(), q.size() - kSearchPrefix.size() - 1) : "";
  if (session_id.empty() || session_id.find('\'') != std::string::npos) {
    return invalid_request(
        400, "parameter_invalid",
        "query: the simulator answers only metadata['session_id']:'<session id>', got \"" + text + "\"",
        json{{"param", "query"}});
  }
  json data = json::array();
  for (const auto& intent : intents_) {
    if (intent.session_id == session_id) data.push_back(intent_json(intent));
  }
  return reply(200, json{{"object", "search_result"},
                         {"url", std::string(kCollection) + "/search"},
                         {"has_more", false},
                         {"next_page", nullptr},
                         {"data", std::move(data)}});
}

GatewayReply GatewayLedger::show(const std::string& id) const {
  const GatewayIntent* intent = find_intent(id);
  if (intent == nullptr) return no_such_intent(id);
  return reply(200, intent_json(*intent), id);
}

void GatewayLedger::set_in_progress(const std::string& key, bool in_progress) {
  if (const auto it = responses_.find(key); it != responses_.end()) it->second.in_progress = in_progress;
}

void GatewayLedger::end_all_in_progress() {
  for (auto& [key, stored] : responses_) stored.in_progress = false;
}

std::size_t GatewayLedger::forget_keys() { return std::exchange(responses_, {}).size(); }

const GatewayIntent* GatewayLedger::find_intent(const std::string& id) const {
  const auto it = intent_index_.find(id);
  return it == intent_index_.end() ? nullptr : &intents_[it->second];
}

GatewayIntent* GatewayLedger::find(const std::string& id) {
  return const_cast<GatewayIntent*>(std::as_const(*this).find_intent(id));
}

}  // namespace passgate::sim
