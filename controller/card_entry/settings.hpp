// CardEntrySettings: what one entry lane's card-entry runner (runner.hpp) needs from the config:
// the gate and lane, the lane's reader, the hold, the time limits and polls of [terminal]
// (docs/card-entry.md says what each one bounds), and the anti-passback policy of [entry].
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "common/clock.hpp"
#include "controller/config/config.hpp"
#include "controller/tracking/messages.hpp"

namespace passgate::controller {

struct CardEntrySettings {
  GateIdentity gate;
  int lane = 0;
  std::string reader_id;                 // "tmr_..."
  std::string currency = "USD";
  std::int64_t hold_minor = 3000;
  Millis auth_timeout{30000};            // tap to a known PaymentIntent outcome, else denied
  Millis poll_fast{250};                 // reader polls while someone stands in the lane
  Millis poll_slow{2000};                // reader polls otherwise, and probes while it is off
  Millis rearm_interval{600000};         // an idle armed attempt is abandoned and re-armed
  Millis retry_first{500};               // a POST retried with its key: first wait...
  Millis retry_cap{30000};               // ...doubling up to this (plus jitter)
  bool collect_confirm_split = true;     // false: process_payment_intent (steps 3-5 in one)
  AntiPassback anti_passback = AntiPassback::hard;
};

// The settings of `lane` (an entry lane with a terminal_reader) under `config`.
[[nodiscard]] CardEntrySettings card_entry_settings(const GateConfig& config, const LaneConfig& lane);

}  // namespace passgate::controller
