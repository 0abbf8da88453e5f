#include "ports/payment_gateway.hpp"

#include <algorithm>
#include <array>
#include <utility>

namespace passgate {

namespace {
constexpr std::array<std::pair<PaymentOpKind, std::string_view>, 5> kOpNames = {{
    {PaymentOpKind::preauth, "preauth"},
    {PaymentOpKind::capture, "capture"},
    {PaymentOpKind::charge, "charge"},
    {PaymentOpKind::void_hold, "void"},
    {PaymentOpKind::increment, "increment"},
}};
}  // namespace

std::string_view to_string(PaymentOpKind op) {
  for (const auto& [kind, name] : kOpNames)
    if (kind == op) return name;
  return "unknown";
}

std::optional<PaymentOpKind> payment_op_from_string(std::string_view name) {
  for (const auto& [kind, known] : kOpNames)
    if (known == name) return kind;
  return std::nullopt;
}

bool acts_on_hold(PaymentOpKind op) {
  return op == PaymentOpKind::capture || op == PaymentOpKind::void_hold || op == PaymentOpKind::increment;
}

std::string operation_key(const std::string& session_id, const std::string& idempotency_key) {
  const std::string prefix = session_id + ":";
  if (session_id.empty() || idempotency_key.size() <= prefix.size() || idempotency_key.compare(0, prefix.size(), prefix) != 0)
    return {};
  return idempotency_key.substr(prefix.size());
}

void PaymentGateway::read_intent(const std::string& session_id, const std::string& intent_id,
                                 std::chrono::milliseconds timeout, Callback done) {
  search_session(session_id, timeout, [intent_id, done = std::move(done)](PaymentOutcome search) {
    if (search.kind == PaymentOutcomeKind::succeeded) {
      const auto match = std::find_if(search.found.begin(), search.found.end(),
                                      [&](const PaymentIntentView& found) { return found.id == intent_id; });
      if (match == search.found.end()) {
        search.kind = PaymentOutcomeKind::rejected;
        search.error = "the session's PaymentIntent is not among the " + std::to_string(search.found.size()) +
                       " the search found";
      } else {
        search.intent = *match;
      }
    }
    search.found.clear();
    done(std::move(search));
  });
}

std::string_view to_string(PaymentOutcomeKind kind) {
  switch (kind) {
    case PaymentOutcomeKind::succeeded: return "succeeded";
    case PaymentOutcomeKind::declined: return "declined";
    case PaymentOutcomeKind::rejected: return "rejected";
    case PaymentOutcomeKind::retry_later: return "retry_later";
    case PaymentOutcomeKind::unknown: return "unknown";
    case PaymentOutcomeKind::unverified: return "unverified";
  }
  return "unknown";
}

}  // namespace passgate
