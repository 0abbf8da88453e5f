#include "drivers/terminal_request.hpp"

#include <string>
#include <string_view>

#include "common/form_encoding.hpp"
#include "drivers/gateway_http.hpp"

namespace passgate::drivers {

namespace {

constexpr std::string_view kReaders = "/v1/terminal/readers/";
constexpr std::string_view kIntentsPath = "/v1/payment_intents";

bool posts(TerminalStep step) { return step != TerminalStep::read_reader && step != TerminalStep::read_intent; }

bool needs_reader(TerminalStep step) {
  switch (step) {
    case TerminalStep::collect:
    case TerminalStep::confirm:
    case TerminalStep::process:
    case TerminalStep::cancel_action:
    case TerminalStep::read_reader: return true;
    default: return false;
  }
}

bool needs_intent(TerminalStep step) {
  switch (step) {
    case TerminalStep::create_customer:
    case TerminalStep::create_hold:
    case TerminalStep::cancel_action:
    case TerminalStep::read_reader: return false;
    default: return true;
  }
}

// Checks the fields `call.step` needs; "" when complete.
std::string missing_or_malformed(const TerminalCall& call) {
  const TerminalAttempt& a = call.attempt;
  if (posts(call.step)) {
    if (a.session_id.empty()) return "session_id is empty";
    if (auto at = first_unprintable(a.session_id))
      return "session_id has a space or a non-printable character at offset " + std::to_string(*at);
    if (a.try_counter < 0) return "try_counter is negative";
    if (auto problem = idempotency_key_problem(terminal_idempotency_key(call.step, a)); !problem.empty())
      return problem;
  }
  if (needs_reader(call.step) && a.reader_id.empty()) return "reader_id is empty";
  if (needs_intent(call.step) && a.intent_id.empty()) return "intent_id (the attempt's PaymentIntent id) is empty";
  if (call.step == TerminalStep::create_customer || call.step == TerminalStep::create_hold) {
    if (a.gate_id.empty()) return "gate_id is empty";
  }
  if (call.step == TerminalStep::create_hold) {
    if (a.customer.empty()) return "customer is empty";
    if (a.hold_minor <= 0) return "hold_minor must be positive, got " + std::to_string(a.hold_minor);
    if (!is_currency_code(a.currency)) return "currency \"" + a.currency + "\" is not a 3-letter ISO 4217 code";
    if (a.lane <= 0) return "lane must be positive, got " + std::to_string(a.lane);
  }
  if (call.step == TerminalStep::increment && call.amount_minor <= 0)
    return "amount_minor must be positive, got " + std::to_string(call.amount_minor);
  return {};
}

FormFields hold_fields(const TerminalAttempt& a) {
  return {{"amount", std::to_string(a.hold_minor)},
          {"currency", lower(a.currency)},
          {"payment_method_types[]", "card_present"},
          {"capture_method", "manual"},
          {"customer", a.customer},
          {"setup_future_usage", "off_session"},
          {"payment_method_options[card_present][request_incremental_authorization_support]", "true"},
          {"metadata[session_id]", a.session_id},
          {"metadata[gate_id]", a.gate_id},
          {"metadata[lane]", std::to_string(a.lane)},
          {"metadata[op]", "tpreauth"}};
}

// "/v1/terminal/readers/{reader}" and, if given, "/<action>". Built by appending (GCC 12
// warns falsely on string + literal chains).
std::string reader_target(const TerminalAttempt& a, std::string_view action = {}) {
  std::string target(kReaders);
  target.append(percent_encode(a.reader_id));
  if (!action.empty()) target.append("/").append(action);
  return target;
}

std::string intent_target(const TerminalAttempt& a, std::string_view action = {}) {
  std::string target(kIntentsPath);
  target.append("/").append(percent_encode(a.intent_id));
  if (!action.empty()) target.append("/").append(action);
  return target;
}

}  // namespace

std::string_view reader_action_type(TerminalStep step) {
  switch (step) {
    case TerminalStep::collect: return "collect_payment_method";
    case TerminalStep::confirm: return "confirm_payment_intent";
    case TerminalStep::process: return "process_payment_intent";
    default: return {};
  }
}

Result<HttpRequestSpec> terminal_http_request(const TerminalCall& call) {
  if (auto why = missing_or_malformed(call); !why.empty()) {
    return make_error("bad_terminal_request", std::string(to_string(call.step)) + " request: " + why);
  }
  const TerminalAttempt& a = call.attempt;
  HttpRequestSpec spec;
  if (posts(call.step)) {
    spec.method = HttpMethod::post;
    spec.content_type = kFormContentType;
    spec.headers.emplace_back("Idempotency-Key", terminal_idempotency_key(call.step, a));
  }
  switch (call.step) {
    case TerminalStep::create_customer:
      spec.target = "/v1/customers";
      spec.body = form_encode({{"metadata[session_id]", a.session_id}, {"metadata[gate_id]", a.gate_id}});
      break;
    case TerminalStep::create_hold:
      spec.target = kIntentsPath;
      spec.body = form_encode(hold_fields(a));
      break;
    case TerminalStep::collect:
    case TerminalStep::confirm:
    case TerminalStep::process:
      spec.target = reader_target(a, reader_action_type(call.step));
      spec.body = form_encode({{"payment_intent", a.intent_id}});
      break;
    case TerminalStep::cancel_action:
      // No body: the form has no field, the key is the request's identity.
      spec.target = reader_target(a, "cancel_action");
      break;
    case TerminalStep::read_reader:
      spec.target = reader_target(a);
      break;
    case TerminalStep::read_intent:
      spec.target = intent_target(a) + "?" + form_encode({{"expand[]", "latest_charge"}});
      break;
    case TerminalStep::void_intent:
      spec.target = intent_target(a, "cancel");
      spec.body = form_encode({{"cancellation_reason", "abandoned"}});
      break;
    case TerminalStep::increment:
      spec.target = intent_target(a, "increment_authorization");
      spec.body = form_encode({{"amount", std::to_string(call.amount_minor)}});
      break;
  }
  return spec;
}

}  // namespace passgate::drivers
