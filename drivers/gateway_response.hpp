// The payment gateway's replies as PaymentOutcomes (spec/payment-gateway.md, "Errors"):
// what the gate must do next, decided from the HTTP status, the JSON body and the
// Idempotent-Replayed and Retry-After headers; and keeping secrets out of the outcome's
// texts. Pure functions; GatewayClient's helpers.
//
// | reply                                        | outcome                             |
// |----------------------------------------------|-------------------------------------|
// | 2xx PaymentIntent in the expected status     | succeeded, with the intent          |
// | 2xx PaymentIntent in another status          | rejected "unexpected status X"      |
// | 2xx that is not a readable PaymentIntent     | unknown (it may have executed)      |
// | 402 with type card_error                     | declined, with decline_code         |
// | 409, 429                                     | retry_later, with Retry-After       |
// | 5xx, or no response at all (status 0)        | unknown                             |
// | any other status (400, 401, 403, 404, ...)   | rejected                            |
//
// Texts taken from the gateway (error type, code, message, status) have every secret
// replaced with "[redacted]" (the gateway may echo the customer, the payment method or the
// key), control characters removed, and are cut to a bounded length before they go into
// `error` or `decline_code`; the reason for a missing response is redacted too.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include "common/clock.hpp"
#include "controller/payment_gateway.hpp"
#include "controller/tracking_port.hpp"

namespace passgate::drivers {

// The most bytes of the gateway's error message kept in PaymentOutcome::error.
inline constexpr std::size_t kMaxGatewayMessage = 200;

// What must never appear in an outcome's texts: the API key, the customer, the payment
// method (empty ones are ignored).
using Secrets = std::vector<std::string_view>;

// For execute(): `expected_status` is expected_intent_status(op). `now` dates a Retry-After
// given as an HTTP-date.
[[nodiscard]] controller::PaymentOutcome classify_payment_reply(const controller::HttpReply& reply,
                                                                std::string_view expected_status,
                                                                const Secrets& secrets, WallTime now);

// For search_session(): a 2xx search_result gives succeeded with every PaymentIntent in
// `found`; an unreadable one is unknown; other statuses as in the table.
[[nodiscard]] controller::PaymentOutcome classify_search_reply(const controller::HttpReply& reply,
                                                               const Secrets& secrets, WallTime now);

}  // namespace passgate::drivers
