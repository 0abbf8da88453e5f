// Between the durable card attempt (db/card_attempt_store.hpp) and the terminal port's attempt
// (ports/payment_terminal.hpp): the keys an attempt is armed with (as the port derives them,
// so what is stored is what is sent), the attempt a stored record stands for (its references
// opened), and a reference sealed for storing. Pure, apart from the sealer's randomness.
#pragma once

#include <string>

#include "common/result.hpp"
#include "controller/card_entry/settings.hpp"
#include "crypto/payment_sealer.hpp"
#include "db/card_attempt_store.hpp"
#include "ports/payment_terminal.hpp"

namespace passgate::controller {

// Every key of attempt `session_id` at try `try_counter`.
[[nodiscard]] db::CardAttemptKeys card_attempt_keys(const std::string& session_id, int try_counter);
// A new attempt of the lane under `session_id`, try 0.
[[nodiscard]] db::NewCardAttempt new_card_attempt(const CardEntrySettings& settings, const std::string& session_id);
// The port's attempt of `record` (customer and PaymentIntent opened). Codes: those of
// PaymentSealer::open ("unknown_key", "tampered", ...).
[[nodiscard]] Result<TerminalAttempt> terminal_attempt_of(const db::CardAttemptRecord& record,
                                                          const CardEntrySettings& settings,
                                                          const crypto::PaymentSealer& sealer);
// `reference` ("cus_...", "pi_...", "pm_...") sealed to attempt `session_id`.
[[nodiscard]] Result<db::SealedRef> seal_reference(const crypto::PaymentSealer& sealer, const std::string& reference,
                                                   const std::string& session_id);

}  // namespace passgate::controller
