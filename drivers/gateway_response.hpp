// The payment gateway's replies as PaymentOutcomes (docs/interfaces/payment-gateway.md#answers-and-errors):
// what the gate must do next, decided from the HTTP status, the JSON body and the
// Idempotent-Replayed and Retry-After headers; and keeping secrets out of the outcome's
// texts. Pure functions; GatewayClient's helpers.
//
// | reply                                          | outcome                           |
// |------------------------------------------------|-----------------------------------|
// | 200, a PaymentIntent that matches the request  | succeeded, with the intent        |
// | 200, a PaymentIntent that does not match       | unverified, every differing field |
// |   (ports/payment_intent_match.hpp)        |   with both values (never an id)  |
// | 200 that is not a readable PaymentIntent       | unverified                        |
// | 402 with type card_error                       | declined, with decline_code       |
// | 400, 401, 403, 404                             | rejected                          |
// | 409, 429                                       | retry_later, with Retry-After     |
// | 5xx, or no response at all (status 0)          | unknown (it may have executed)    |
// | any other status (201, 299, 302, 422, ...), or | unverified: not an answer the     |
// |   a 402 that is not a card_error               |   contract names                  |
// An unverified outcome's error ends with what it means: money may have moved, a person
// must check the payment at the gateway, then retry or write off the operation.
//
// Texts taken from the gateway (error type, code, message, status) have every secret
// replaced with "[redacted]" (the gateway may echo the customer, the payment method or the
// key), control characters removed, and are cut to a bounded length before they go into
// `error` or `decline_code`; the reason for a missing response is redacted too.
#pragma once

#include "common/clock.hpp"
#include "ports/payment_gateway.hpp"
#include "common/http_reply.hpp"
#include "drivers/gateway_http.hpp"

namespace passgate::drivers {

// Secrets (drivers/gateway_http.hpp): here the API key, the customer, the payment method,
// the intent id and the Idempotency-Key.

// For execute(): the answer to `request`. `now` dates a Retry-After given as an HTTP-date.
// The outcome's `sends` is the reply's.
[[nodiscard]] PaymentOutcome classify_payment_reply(const HttpReply& reply,
                                                                const PaymentRequest& request,
                                                                const Secrets& secrets, WallTime now);

// For search_session(): a 200 search_result gives succeeded with every PaymentIntent in
// `found`; an unreadable one is unknown (asked again later); other statuses as in the table.
[[nodiscard]] PaymentOutcome classify_search_reply(const HttpReply& reply,
                                                               const Secrets& secrets, WallTime now);

// For read_intent(): a 200 PaymentIntent with the id asked for, metadata[session_id] of
// `session_id`, a three-letter currency and amounts that fit (amount_capturable and
// amount_received each 0 to amount) gives succeeded with `intent`; one that differs is
// unverified, every differing field named (never an id); an unreadable one is unknown (read
// again later); other statuses as in the table (404: rejected).
[[nodiscard]] PaymentOutcome classify_read_reply(const HttpReply& reply, const std::string& session_id,
                                                 const std::string& intent_id, const Secrets& secrets, WallTime now);

}  // namespace passgate::drivers
