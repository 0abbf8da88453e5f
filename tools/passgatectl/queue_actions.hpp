// The operator's two answers to a dead letter, each recorded in the gate's audit log with the
// invoking operator (see invoking_operator.hpp), in the same transaction as the change:
//   retry: back to pending with its same idempotency key; passgated's drainer, which looks
//          at the queue every second, resends it without being signalled or restarted.
//   write-off: final, nothing more is sent; the reason is kept in the audit log.
// Only dead letters (dead_letter.hpp) qualify. Each prints what it did to `out`; its error
// says why nothing changed: "not_found", "wrong_state", "bad_reason", or a database error.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>

#include "common/result.hpp"
#include "db/database.hpp"

namespace passgate::ctl {

struct OperatorAction {
  std::int64_t op_id = 0;
  std::string actor;   // who, for the audit log
  std::int64_t now_ms = 0;
};

[[nodiscard]] Status retry_dead_letter(db::Database& database, const OperatorAction& action, std::ostream& out);
[[nodiscard]] Status write_off_dead_letter(db::Database& database, const OperatorAction& action,
                                           const std::string& reason, std::ostream& out);

}  // namespace passgate::ctl
