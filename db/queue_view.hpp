// QueueView: the payment operations an operator looks at (`passgatectl queue`, answered by
// passgated over its control socket): those not yet final (pending, in flight) and the
// dead-letter list, or with `all` every operation. Each row holds what an operator needs and
// nothing else: never a payment reference, PaymentIntent id or idempotency key.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "db/database.hpp"
#include "db/payment_queue.hpp"

namespace passgate::db {

struct QueueRow {
  std::int64_t id = 0;
  std::string session_id;
  std::string op;
  std::int64_t amount_minor = 0;
  std::string currency;
  PaymentOpState state = PaymentOpState::pending;
  bool alert = true;
  int attempts = 0;
  std::int64_t created_at_ms = 0;
  std::string last_error;
};

struct QueueView {
  std::vector<QueueRow> rows;                     // the newest `limit` that match, oldest first
  std::int64_t matching = 0;                      // how many match (rows may hold fewer)
  std::map<PaymentOpState, std::int64_t> by_state;  // the matching ones; every listed state, 0 too
};

// `limit` 0: every matching operation.
[[nodiscard]] Result<QueueView> read_queue_view(Database& db, bool all, int limit);

}  // namespace passgate::db
