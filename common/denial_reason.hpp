// DenialReason: why a scan did not open the barrier. The names are the stable snake_case
// strings of docs/interfaces/entry-token.md#denial-reasons (plus Passgate's already_inside),
// used in logs, metrics, the rig's display and the CLI.
#pragma once

#include <optional>
#include <string_view>

namespace passgate {

enum class DenialReason {
  malformed,
  unsupported_alg,
  unknown_key,
  bad_signature,
  wrong_issuer,
  wrong_audience,
  expired,
  not_yet_valid,
  stale,
  replayed,
  bad_claims,
  shopper_blocked,
  payment_declined,
  offline_limit,
  lane_unavailable,
  // Passgate's addition to the contract's list: anti-passback ([entry] anti_passback = "hard")
  // refused a shopper whose session at this store is still open.
  already_inside,
};

[[nodiscard]] std::string_view to_string(DenialReason r);
[[nodiscard]] std::optional<DenialReason> denial_reason_from_string(std::string_view s);

}  // namespace passgate
