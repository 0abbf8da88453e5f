// PaymentsSummary: the payments part of `passgatectl status`, read from the gate's database:
// whether the gateway answered passgated's last request (and since when, as the drainer
// published it in gate_status), the payment queue's totals (db/payment_queue.hpp) and how
// many sessions are settled. Counts only: never a payment reference.
#pragma once

#include <cstdint>
#include <optional>

#include "common/result.hpp"
#include "db/database.hpp"
#include "db/gate_status.hpp"
#include "db/payment_queue.hpp"

namespace passgate::db {

struct PaymentsSummary {
  std::optional<GateStatusValue> gateway;  // empty: passgated has not published it yet
  QueueTotals queue;
  std::int64_t settlements_decided = 0;  // sessions whose settlement is planned
  // ... of which every payment operation is final and none is a dead letter.
  std::int64_t sessions_settled = 0;
};

[[nodiscard]] Result<PaymentsSummary> read_payments_summary(Database& db);

}  // namespace passgate::db
