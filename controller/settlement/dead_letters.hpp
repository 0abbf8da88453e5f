// The operator's two answers to a dead letter (db/payment_queue.hpp, is_dead_letter), asked
// through `passgatectl queue retry|write-off` and carried out by passgated on its own
// database. Each is recorded in the audit log with the operator (`actor`), in the same
// transaction as the change:
//   retry:     back to pending with its same idempotency key, due at once (the caller then
//              wakes the payment drainer); a declined charge is replaced by a new attempt
//              under a new key instead (db/payment_queue.hpp, PaymentQueue::retry): its own
//              key would only bring its decline back.
//   write-off: final, nothing more is sent; the reason is kept in the audit log.
// Only dead letters qualify. Each returns the operation as it was before; its error says why
// nothing changed: "not_found", "wrong_state", "bad_reason", or a database error.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/result.hpp"
#include "db/payment_queue.hpp"

namespace passgate::controller {

struct DeadLetterAction {
  std::int64_t op_id = 0;
  db::AuditActor actor;  // who, for the audit log
  std::int64_t now_ms = 0;
};

// What a retry did: the dead letter as it was, and the new attempt made in its place, if any.
struct RetriedDeadLetter {
  db::PaymentOpRecord was;
  std::optional<std::int64_t> new_attempt_id;  // none: the operation itself is pending again, same key
};

[[nodiscard]] Result<RetriedDeadLetter> retry_dead_letter(db::PaymentQueue& queue, const DeadLetterAction& action);
[[nodiscard]] Result<db::PaymentOpRecord> write_off_dead_letter(db::PaymentQueue& queue,
                                                                const DeadLetterAction& action,
                                                                const std::string& reason);

}  // namespace passgate::controller
