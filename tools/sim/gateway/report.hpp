// The gateway simulator's reconciliation view of its ledger, shared by GET /control/ledger,
// `passgate-sim gateway` (printed on SIGINT/SIGTERM) and `passgate-sim gateway-ctl ledger`:
// every PaymentIntent, per-session and per-currency totals, and the sessions that were
// charged more than once. Amounts are integers in minor units. Never a customer or a
// payment method.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tools/sim/gateway/ledger.hpp"

namespace passgate::sim {

// {"intents":   [{"id","session_id","gate_id","op","amount","amount_capturable",
//                 "amount_received","currency","status"}],          oldest first
//  "sessions":  [{"session_id","currency","collected","held","intents"}],  first seen first
//  "totals":    {"<currency>":{"collected","held","sessions","intents"}},
//  "duplicates":[{"session_id","reasons":["2 live charge intents",...],"intents":["pi_…",…]}]}
// collected = sum of amount_received; held = amount_capturable of requires_capture intents.
// A session is a duplicate when it has more than one live (requires_capture or succeeded)
// intent for the same op, or more than one collecting (amount_received > 0) intent.
[[nodiscard]] nlohmann::json ledger_report_json(const std::vector<GatewayIntent>& intents);

// The human table of a GET /control/ledger body: one row per intent (session, op, amount,
// currency, status, received, held), totals per currency, duplicates, request counters.
// Throws nlohmann::json::exception if `ledger` lacks a member.
[[nodiscard]] std::string format_ledger_table(const nlohmann::json& ledger);

}  // namespace passgate::sim
