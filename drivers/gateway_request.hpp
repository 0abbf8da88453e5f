// The payment gateway's HTTP requests (docs/interfaces/payment-gateway.md#operations): turns a
// PaymentRequest or a session look-up into method, target, form body and Idempotency-Key,
// after checking the request is complete. Pure functions; GatewayClient's helpers.
#pragma once

#include <string>

#include "common/result.hpp"
#include "ports/payment_gateway.hpp"
#include "drivers/http_client.hpp"

namespace passgate::drivers {

// POST /v1/payment_intents (preauth, charge; metadata[op_key] when the request has one),
// .../{id}/capture, .../{id}/cancel (void) or .../{id}/increment_authorization (increment:
// amount, the hold's new amount), with the form body of that section and the
// Idempotency-Key header. Error code
// "bad_payment_request" naming the missing or malformed field; the message never contains
// the customer or the payment method.
[[nodiscard]] Result<HttpRequestSpec> payment_http_request(const PaymentRequest& request);

// GET /v1/payment_intents/{intent_id}: one PaymentIntent as it stands now. Error code
// "bad_payment_request" for an empty id, one longer than 255 bytes, or one with a space or
// a non-printable character (the message never shows the id: a payment reference).
[[nodiscard]] Result<HttpRequestSpec> intent_read_http_request(const std::string& intent_id);

// GET /v1/payment_intents/search?query=metadata['session_id']:'<id>'. Error code
// "bad_payment_request" for an empty id or one with a quote, backslash, space or
// non-printable character (session ids are UUIDs).
[[nodiscard]] Result<HttpRequestSpec> search_http_request(const std::string& session_id);

}  // namespace passgate::drivers
