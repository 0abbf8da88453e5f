// The gateway simulator's reconciliation view of its ledger, shared by GET /control/ledger,
// `passgate-sim gateway` (printed on SIGINT/SIGTERM) and `passgate-sim gateway-ctl ledger`:
// every PaymentIntent, per-session and per-currency totals, the sessions that were
// charged more than once, the card-present holds and the readers. Amounts are integers in
// minor units. Never a customer, a payment method or a card fingerprint.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tools/sim/gateway/intent.hpp"
#include "tools/sim/gateway/reader_state.hpp"

namespace passgate::sim {

// {"intents":   [{"id","session_id","gate_id","op","amount","amount_capturable",
//                 "amount_received","currency","status"}],          oldest first
//  "sessions":  [{"session_id","currency","collected","held","intents"}],  first seen first
//  "totals":    {"<currency>":{"collected","held","sessions","intents"}},
//  "duplicates":[{"session_id","reasons":["2 live charge intents",...],"intents":["pi_…",…]}],
//  "card_present":{"intents","open_holds","held","captured","voided","abandoned","declined",
//                  "incremented","armed","on_readers"},
//  "readers":   [{"id","status","action","action_status","payment_intent","faults":[…]}]}
// collected = sum of amount_received; held = amount_capturable of requires_capture intents.
// A session is a duplicate when it has more than one live (requires_capture or succeeded)
// intent for the same op, or more than one collecting (amount_received > 0) intent (but a
// captured card-present hold and the charge of the rest above it, tpreauth and charge, are
// one payment).
// card_present counts card-present intents: open_holds (requires_capture) holding `held`,
// captured, voided (canceled after a hold), abandoned (canceled, never held), declined
// (authorizations declined, every attempt), incremented (raised at least once), armed (not
// yet authorized nor canceled), on_readers (named by a reader's action in progress).
[[nodiscard]] nlohmann::json ledger_report_json(const std::vector<GatewayIntent>& intents,
                                                const std::vector<Reader>& readers = {});

// The human table of a GET /control/ledger body: one row per intent (session, op, amount,
// currency, status, received, held), totals per currency, duplicates, the card-present
// counts and readers (when there are any), request counters.
// Throws nlohmann::json::exception if `ledger` lacks a member.
[[nodiscard]] std::string format_ledger_table(const nlohmann::json& ledger);

}  // namespace passgate::sim
