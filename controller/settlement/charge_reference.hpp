// The payment reference a preauth or a charge is sent with (the customer and the payment
// method, never logged): an app session's, sealed with its session row at entry
// (crypto/payment_sealer.hpp), or a card session's customer and saved card (generated_card),
// sealed with its card attempt (db/card_attempt_store.hpp), and only if that attempt was
// admitted. For the payment drainer. Error codes: "unreadable" (the database failed: try
// again later), "no_reference" (nothing to charge: no session, no reference, a card attempt
// not admitted or a wallet without a saved card), and those of opening a sealed value.
#pragma once

#include <string>

#include "common/result.hpp"
#include "crypto/payment_sealer.hpp"
#include "db/card_attempt_store.hpp"
#include "db/session_store.hpp"

namespace passgate::controller {

// `cards` may be null (card settlement not wired): a card session then has no reference.
[[nodiscard]] Result<crypto::PaymentReference> charge_reference(db::SessionStore& sessions, db::CardAttemptStore* cards,
                                                        const crypto::PaymentSealer& sealer,
                                                        const std::string& session_id);

}  // namespace passgate::controller
