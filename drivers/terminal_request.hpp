// The payment terminal's HTTP requests (docs/interfaces/payment-terminal.md#requests): turns
// one step of a card-entry attempt into method, target, form body and Idempotency-Key, after
// checking the attempt has what that step needs. Pure functions; TerminalClient's helpers.
#pragma once

#include <cstdint>
#include <string_view>

#include "common/result.hpp"
#include "ports/payment_terminal.hpp"
#include "drivers/http_client.hpp"

namespace passgate::drivers {

// One question to the terminal API: a step of an attempt (and, for increment, the new amount).
struct TerminalCall {
  TerminalStep step = TerminalStep::read_reader;
  TerminalAttempt attempt;
  std::int64_t amount_minor = 0;  // increment: the new authorized amount
};

// The reader action `step` starts and its answer must show: "collect_payment_method",
// "confirm_payment_intent", "process_payment_intent"; "" for the steps that start none.
[[nodiscard]] std::string_view reader_action_type(TerminalStep step);

// The request for `call`, with the Idempotency-Key of its step on every POST. Error code
// "bad_terminal_request" naming the missing or malformed field; the message never contains
// the customer or the PaymentIntent id.
[[nodiscard]] Result<HttpRequestSpec> terminal_http_request(const TerminalCall& call);

}  // namespace passgate::drivers
