#include "common/denial_reason.hpp"

#include <array>
#include <utility>

namespace passgate {
namespace {

constexpr std::array<std::pair<DenialReason, std::string_view>, 19> kNames{{
    {DenialReason::malformed, "malformed"},
    {DenialReason::unsupported_alg, "unsupported_alg"},
    {DenialReason::unknown_key, "unknown_key"},
    {DenialReason::bad_signature, "bad_signature"},
    {DenialReason::wrong_issuer, "wrong_issuer"},
    {DenialReason::wrong_audience, "wrong_audience"},
    {DenialReason::expired, "expired"},
    {DenialReason::not_yet_valid, "not_yet_valid"},
    {DenialReason::stale, "stale"},
    {DenialReason::replayed, "replayed"},
    {DenialReason::bad_claims, "bad_claims"},
    {DenialReason::shopper_blocked, "shopper_blocked"},
    {DenialReason::payment_declined, "payment_declined"},
    {DenialReason::offline_limit, "offline_limit"},
    {DenialReason::lane_unavailable, "lane_unavailable"},
    {DenialReason::already_inside, "already_inside"},
    {DenialReason::tap_failed, "tap_failed"},
    {DenialReason::card_in_session, "card_in_session"},
    {DenialReason::terminal_unavailable, "terminal_unavailable"},
}};

}  // namespace

std::string_view to_string(DenialReason r) {
  for (const auto& [reason, name] : kNames) {
    if (reason == r) return name;
  }
  return "unknown";
}

std::optional<DenialReason> denial_reason_from_string(std::string_view s) {
  for (const auto& [reason, name] : kNames) {
    if (name == s) return reason;
  }
  return std::nullopt;
}

std::vector<std::string_view> denial_reason_names() {
  std::vector<std::string_view> names;
  for (const auto& [reason, name] : kNames) names.push_back(name);
  return names;
}

}  // namespace passgate
