// The payment queue's control commands:
//   queue {all, limit}             the operations an operator looks at (db/queue_view.hpp),
//                                  oldest first, the newest `limit` of them (default
//                                  kDefaultQueueLimit, 0: every one), with counts by state, the
//                                  outstanding operations and what they owe by currency
//                                  (owed_capped lists the currencies whose sum is a lower
//                                  bound, common/minor_sum.hpp), and the open quarantined carts
//                                  (the oldest `limit`; control_quarantine.hpp settles them)
//   queue.retry {id, operator}     a dead letter back to pending (controller/settlement/dead_letters.hpp);
//                                  a declined charge replaced by a new attempt under a new key,
//                                  named in the reply's "new_attempt" {id}
//   queue.write_off {id, reason, operator}
//                                  a dead letter closed for good
// The two actions are audited with the operator (control_request.hpp, operator_of) and
// logged with the connecting uid too. Never a payment reference or PaymentIntent id.
#pragma once

#include <functional>

#include <nlohmann/json.hpp>

#include "common/clock.hpp"
#include "common/result.hpp"
#include "db/database.hpp"
#include "db/payment_queue.hpp"
#include "drivers/control_server.hpp"

namespace passgate::daemon {

inline constexpr int kDefaultQueueLimit = 500;

// Sets `out`'s "owed_minor" (currency -> minor units) and, when a sum is capped, "owed_capped"
// (its currencies): shared by queue and status.
void put_owed(nlohmann::json& out, const db::QueueTotals& totals);

[[nodiscard]] Result<nlohmann::json> queue_reply(db::Database& database, const nlohmann::json& request, WallTime now);
// `queue_changed` runs after a retry (it wakes the payment drainer).
[[nodiscard]] Result<nlohmann::json> queue_retry(db::Database& database, const nlohmann::json& request,
                                                 const drivers::ControlPeer& peer, WallTime now,
                                                 const std::function<void()>& queue_changed);
// `queue_changed` runs after a write-off too (what follows it may be planned now).
[[nodiscard]] Result<nlohmann::json> queue_write_off(db::Database& database, const nlohmann::json& request,
                                                     const drivers::ControlPeer& peer, WallTime now,
                                                     const std::function<void()>& queue_changed);

}  // namespace passgate::daemon
