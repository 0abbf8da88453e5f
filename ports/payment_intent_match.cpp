#include "ports/payment_intent_match.hpp"

#include <algorithm>
#include <cctype>
#include <cstdint>

namespace passgate {

namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

void compare(std::vector<IntentMismatch>& out, const char* field, std::int64_t expected, std::int64_t got) {
  if (expected != got) out.push_back({field, std::to_string(expected), std::to_string(got)});
}

void compare(std::vector<IntentMismatch>& out, const char* field, std::string_view expected, std::string_view got) {
  if (expected != got) out.push_back({field, std::string(expected), std::string(got)});
}

bool same_currency(const PaymentRequest& request, const PaymentIntentView& intent) {
  return lower(intent.currency) == lower(request.currency);
}

}  // namespace

std::string_view expected_intent_status(PaymentOpKind op) {
  switch (op) {
    case PaymentOpKind::preauth:
    case PaymentOpKind::increment: return "requires_capture";
    case PaymentOpKind::capture:
    case PaymentOpKind::charge: return "succeeded";
    case PaymentOpKind::void_hold: return "canceled";
  }
  return "succeeded";
}

std::vector<IntentMismatch> intent_mismatches(const PaymentRequest& request, const PaymentIntentView& intent) {
  std::vector<IntentMismatch> out;
  const bool on_hold = acts_on_hold(request.op);
  if (on_hold && intent.id != request.intent_id) out.push_back({"id", {}, {}, true});
  compare(out, "status", expected_intent_status(request.op), intent.status);
  switch (request.op) {
    case PaymentOpKind::preauth:
    case PaymentOpKind::increment:
      compare(out, "amount", request.amount_minor, intent.amount);
      compare(out, "amount_capturable", request.amount_minor, intent.amount_capturable);
      break;
    case PaymentOpKind::charge:
      compare(out, "amount", request.amount_minor, intent.amount);
      compare(out, "amount_received", request.amount_minor, intent.amount_received);
      break;
    case PaymentOpKind::capture:
      compare(out, "amount_received", request.amount_minor, intent.amount_received);
      break;
    case PaymentOpKind::void_hold:
      compare(out, "amount_received", 0, intent.amount_received);
      break;
  }
  if (!same_currency(request, intent)) out.push_back({"currency", lower(request.currency), intent.currency});
  compare(out, "metadata[session_id]", request.session_id, intent.session_id);
  if (!on_hold) compare(out, "metadata[op]", to_string(request.op), intent.op);
  if (!on_hold && !request.op_key.empty()) compare(out, "metadata[op_key]", request.op_key, intent.op_key);
  return out;
}

IncrementOnHold increment_on_hold(const PaymentRequest& request, const PaymentIntentView& intent) {
  if (intent.id != request.intent_id || intent.session_id != request.session_id || !same_currency(request, intent))
    return IncrementOnHold::other;
  if (intent.status == "requires_capture") {
    return intent.amount_capturable >= request.amount_minor ? IncrementOnHold::applied : IncrementOnHold::not_applied;
  }
  if (intent.status == "canceled" && intent.amount_received == 0) return IncrementOnHold::hold_gone;
  return IncrementOnHold::other;
}

std::string_view to_string(IncrementOnHold reading) {
  switch (reading) {
    case IncrementOnHold::applied: return "applied";
    case IncrementOnHold::not_applied: return "not_applied";
    case IncrementOnHold::hold_gone: return "hold_gone";
    case IncrementOnHold::other: return "other";
  }
  return "other";
}

std::string describe_mismatches(const std::vector<IntentMismatch>& mismatches,
                                const std::function<std::string(std::string_view)>& shown) {
  std::string out;
  for (const IntentMismatch& m : mismatches) {
    if (!out.empty()) out += "; ";
    out += m.field + ": ";
    if (m.reference) {
      out += "not the PaymentIntent asked for (ids are payment references, not shown)";
    } else {
      out += "expected " + m.expected + ", got " + (m.got.empty() ? std::string("nothing") : shown(m.got));
    }
  }
  return out;
}

}  // namespace passgate
