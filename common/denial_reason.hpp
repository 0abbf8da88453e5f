// DenialReason: why a scan or a card tap did not open the barrier. The names are the stable
// snake_case strings of docs/interfaces/entry-token.md#denial-reasons (plus Passgate's
// already_inside) and of card-tap entry (docs/interfaces/payment-terminal.md), used in logs,
// metrics, the rig's display and the CLI.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

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
  // Card-tap entry (docs/card-entry.md): no card was read (tap again); the card has a session
  // open here (anti-passback); no known outcome of the hold in time, or the reader or the
  // terminal API gone. A declined card is payment_declined, a blocklisted one shopper_blocked.
  tap_failed,
  card_in_session,
  terminal_unavailable,
};

[[nodiscard]] std::string_view to_string(DenialReason r);
[[nodiscard]] std::optional<DenialReason> denial_reason_from_string(std::string_view s);
// Every reason's name, in the order above.
[[nodiscard]] std::vector<std::string_view> denial_reason_names();

}  // namespace passgate
