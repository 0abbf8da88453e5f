// What a lane's card-entry runner (runner.hpp) tells the lane: a decision on a tap (admit the
// session, or deny with a reason the display, logs and metrics show), and whether card entry
// is on (passgatectl lanes/status and the metrics say why it is off). QR entry never depends
// on either.
#pragma once

#include <string>
#include <string_view>

#include "common/denial_reason.hpp"

namespace passgate::controller {

// The card-entry denial reasons (docs/card-entry.md).
enum class CardDenial {
  payment_declined,      // the card declined the hold: never retried automatically
  tap_failed,            // no card was read (cancelled, removed, reader timeout): tap again
  card_in_session,       // the card has a session open here (anti-passback, hard)
  shopper_blocked,       // the card is on the store's blocklist (an unpaid remainder)
  terminal_unavailable,  // no known outcome within auth_timeout, the reader or API gone
  lane_unavailable,      // card entry paused (fire alarm) while the tap was being confirmed
};
[[nodiscard]] std::string_view to_string(CardDenial reason);
// The lane's denial reason for it (shown, logged and counted as a scan's).
[[nodiscard]] DenialReason denial_reason(CardDenial reason);

struct CardDecision {
  bool admitted = false;
  std::string session_id;  // the attempt's (admitted: the session, committed before this call)
  CardDenial reason = CardDenial::terminal_unavailable;  // when !admitted
};

// Card entry on the lane: on (armed, or arming) or off with a reason.
struct CardEntryStatus {
  bool enabled = false;
  // When off: starting, reader_offline, terminal_unreachable, terminal_refused, database,
  // fire_alarm (CardLanes pauses every runner), stopping (CardLanes).
  std::string reason;
  std::string phase;   // what the runner does now (runner.cpp names them), for status pages
};

}  // namespace passgate::controller
