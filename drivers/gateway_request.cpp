#include "drivers/gateway_request.hpp"

#include "common/form_encoding.hpp"
#include "drivers/gateway_http.hpp"

namespace passgate::drivers {


namespace {

constexpr std::string_view kIntents = "/v1/payment_intents";

Error bad_request(const PaymentRequest& request, const std::string& what) {
  return make_error("bad_payment_request", std::string(to_string(request.op)) + " request: " + what);
}

// Checks the fields every form of `request.op` needs; "" when complete.
std::string missing_or_malformed(const PaymentRequest& request) {
  if (auto problem = idempotency_key_problem(request.idempotency_key); !problem.empty()) return problem;
  if (acts_on_hold(request.op) && request.intent_id.empty()) return "intent_id (the hold's PaymentIntent id) is empty";
  if (request.op != PaymentOpKind::void_hold && request.amount_minor <= 0)
    return "amount_minor must be positive, got " + std::to_string(request.amount_minor);
  if (request.op == PaymentOpKind::preauth || request.op == PaymentOpKind::charge) {
    if (!is_currency_code(request.currency))
      return "currency \"" + request.currency + "\" is not a 3-letter ISO 4217 code";
    if (request.customer.empty()) return "customer is empty";
    if (request.payment_method.empty()) return "payment_method is empty";
    if (request.session_id.empty()) return "session_id is empty";
    if (request.gate_id.empty()) return "gate_id is empty";
    if (request.op_key.size() > kMaxMetadataValue)
      return "op_key is longer than " + std::to_string(kMaxMetadataValue) + " bytes";
    if (auto at = first_unprintable(request.op_key))
      return "op_key has a space or a non-printable character at offset " + std::to_string(*at);
  }
  return {};
}

FormFields create_fields(const PaymentRequest& request) {
  FormFields fields{{"amount", std::to_string(request.amount_minor)},
          {"currency", lower(request.currency)},
          {"customer", request.customer},
          {"payment_method", request.payment_method},
          {"confirm", "true"},
          {"off_session", "true"},
          {"capture_method", request.op == PaymentOpKind::preauth ? "manual" : "automatic"},
          {"metadata[session_id]", request.session_id},
          {"metadata[gate_id]", request.gate_id},
          {"metadata[op]", std::string(to_string(request.op))}};
  if (!request.op_key.empty()) fields.emplace_back("metadata[op_key]", request.op_key);
  return fields;
}

std::string intent_target(const PaymentRequest& request, std::string_view action) {
  // Built by appending: GCC 12 at -O2 warns falsely (-Warray-bounds) on string + literal chains.
  std::string target(kIntents);
  target.append("/").append(percent_encode(request.intent_id)).append("/").append(action);
  return target;
}

}  // namespace

Result<HttpRequestSpec> payment_http_request(const PaymentRequest& request) {
  if (auto why = missing_or_malformed(request); !why.empty()) return bad_request(request, why);
  HttpRequestSpec spec;
  spec.method = HttpMethod::post;
  spec.content_type = kFormContentType;
  spec.headers.emplace_back("Idempotency-Key", request.idempotency_key);
  switch (request.op) {
    case PaymentOpKind::preauth:
    case PaymentOpKind::charge:
      spec.target = kIntents;
      spec.body = form_encode(create_fields(request));
      break;
    case PaymentOpKind::capture:
      spec.target = intent_target(request, "capture");
      spec.body = form_encode({{"amount_to_capture", std::to_string(request.amount_minor)}});
      break;
    case PaymentOpKind::void_hold:
      spec.target = intent_target(request, "cancel");
      spec.body = form_encode({{"cancellation_reason", "abandoned"}});
      break;
    case PaymentOpKind::increment:
      // The hold's new amount; no metadata, so the hold keeps its own (metadata[op] of its tap).
      spec.target = intent_target(request, "increment_authorization");
      spec.body = form_encode({{"amount", std::to_string(request.amount_minor)}});
      break;
  }
  return spec;
}

Result<HttpRequestSpec> intent_read_http_request(const std::string& intent_id) {
  if (intent_id.empty()) return make_error("bad_payment_request", "read: the PaymentIntent id is empty");
  if (intent_id.size() > kMaxIdempotencyKey || first_unprintable(intent_id)) {
    return make_error("bad_payment_request",
                      "read: the PaymentIntent id is too long or has a space or non-printable character");
  }
  HttpRequestSpec spec;
  spec.target = std::string(kIntents).append("/").append(percent_encode(intent_id));
  return spec;
}

Result<HttpRequestSpec> search_http_request(const std::string& session_id) {
  if (session_id.empty()) return make_error("bad_payment_request", "search: the session id is empty");
  if (auto at = first_unprintable(session_id, "'\\")) {
    return make_error("bad_payment_request", "search: the session id has a quote, backslash, space or "
                                             "non-printable character at offset " + std::to_string(*at));
  }
  HttpRequestSpec spec;
  const std::string query = "metadata['session_id']:'" + session_id + "'";
  spec.target = std::string(kIntents).append("/search?query=").append(percent_encode(query));
  return spec;
}

}  // namespace passgate::drivers
