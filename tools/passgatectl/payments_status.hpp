// The payments part of passgatectl status: whether the gateway answered passgated's last
// request (and since when, as passgated published it), the payment queue (outstanding
// operations, amount owed by currency, the oldest one's age, dead letters) and how many
// sessions are settled. Read from the gate's database; never a payment reference.
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>

#include <nlohmann/json.hpp>

#include "common/result.hpp"
#include "db/database.hpp"
#include "db/gate_status.hpp"
#include "db/payment_queue.hpp"

namespace passgate::ctl {

struct PaymentsStatus {
  std::optional<db::GateStatusValue> gateway;  // empty: passgated has not published it yet
  db::QueueTotals queue;
  std::int64_t settlements_decided = 0;  // sessions whose settlement is planned
  // ... of which every payment operation is final and none is a dead letter.
  std::int64_t sessions_settled = 0;
};

[[nodiscard]] Result<PaymentsStatus> read_payments_status(db::Database& database);

// {"gateway": {"state", "since", "since_ms"}, "payment_queue": {"outstanding", "owed_minor",
//  "oldest_age_s", "dead_letters"}, "settlements": {"decided", "settled"}} merged into `status`.
void add_payments_json(const PaymentsStatus& payments, std::int64_t now_ms, nlohmann::json& status);
void print_payments(const PaymentsStatus& payments, std::int64_t now_ms, std::ostream& out);

}  // namespace passgate::ctl
