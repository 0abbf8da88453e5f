// The anti-passback policy ([entry] anti_passback), shared by every way in (the app's QR code,
// controller/admission/service.cpp; a card tap, controller/card_entry/): given whether the
// shopper (or card) still has a session open at this store, what the entry does. "off" never
// looks; "soft" admits and warns; "hard" refuses. Pure; the callers log with their session id.
#pragma once

#include "controller/config/config.hpp"

namespace passgate::controller {

enum class PassbackVerdict {
  pass,        // no other session open (or the policy is off)
  overridden,  // another session is open, admitted anyway (soft): log a warning
  refuse,      // another session is open (hard): deny
};

// Whether the policy needs the look-up at all.
[[nodiscard]] constexpr bool anti_passback_checks(AntiPassback mode) { return mode != AntiPassback::off; }
[[nodiscard]] PassbackVerdict anti_passback_verdict(AntiPassback mode, bool other_session_open);

}  // namespace passgate::controller
