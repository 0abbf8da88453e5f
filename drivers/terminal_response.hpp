// The terminal API's replies as TerminalOutcomes (docs/interfaces/payment-terminal.md#answers):
// sorted by HTTP status as the payment gateway's are (drivers/gateway_http.hpp), with the
// terminal's own 400 codes (terminal_reader_offline: offline, terminal_reader_busy: busy,
// terminal_reader_timeout: unknown), and every 200 checked against the call before it is
// believed:
//
// | step            | a 200 must show                                                      |
// |-----------------|----------------------------------------------------------------------|
// | create_customer | a customer whose metadata[session_id] is the attempt's               |
// | create_hold     | the hold: requires_payment_method, amount = hold, currency, session, |
// |                 |   op tpreauth                                                        |
// | reader steps    | the attempt's reader; collect/confirm/process: an action of that     |
// |                 |   type on the attempt's PaymentIntent                                |
// | read_intent     | the attempt's PaymentIntent: currency, session, op, amount >= hold,  |
// |                 |   amount_capturable <= amount, a status the contract names; when     |
// |                 |   requires_capture, a card_present charge with a fingerprint          |
// | void_intent     | the attempt's PaymentIntent, canceled, nothing received              |
// | increment       | the attempt's PaymentIntent, requires_capture, amount =              |
// |                 |   amount_capturable = the new amount                                 |
// Anything else in a 200 is unverified, naming every differing field (never an id, a
// customer, a card's fingerprint or payment method). Texts from the API are scrubbed of
// secrets and cut short. Pure functions; TerminalClient's helpers and the fuzzer's target.
#pragma once

#include "common/clock.hpp"
#include "common/http_reply.hpp"
#include "ports/payment_terminal.hpp"
#include "drivers/gateway_http.hpp"
#include "drivers/terminal_request.hpp"

namespace passgate::drivers {

// How an unverified outcome's error ends: what it means and what to do.
inline constexpr std::string_view kTerminalUnverifiedConsequence =
    "not believed: the attempt is resolved by reading the PaymentIntent, a person checks what stays unclear";

// The answer to `call`. `secrets` are those of TerminalClient (API key, customer, intent id,
// Idempotency-Key); a card's fingerprint and generated payment method never reach a text
// either. `now` dates a Retry-After given as an HTTP-date.
[[nodiscard]] TerminalOutcome classify_terminal_reply(const HttpReply& reply, const TerminalCall& call,
                                                      const Secrets& secrets, WallTime now);

}  // namespace passgate::drivers
