#include "ports/payment_gateway.hpp"

#include <array>
#include <utility>

namespace passgate {

namespace {
constexpr std::array<std::pair<PaymentOpKind, std::string_view>, 4> kOpNames = {{
    {PaymentOpKind::preauth, "preauth"},
    {PaymentOpKind::capture, "capture"},
    {PaymentOpKind::charge, "charge"},
    {PaymentOpKind::void_hold, "void"},
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
