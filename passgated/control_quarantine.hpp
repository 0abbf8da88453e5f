// The operator's two answers to a quarantined final cart (db/cart_quarantine.hpp), asked
// through `passgatectl queue charge-cart|write-off-cart`:
//   queue.charge_cart {id, amount_minor, currency, reason, operator[, confirm: "double_use"]}
//       the cart corrected: `currency` must be the gate's (payments.currency) and
//       `amount_minor` a whole number from 0 to payments.max_cart_minor; the corrected cart is
//       recorded for its session and settled the usual way, once (capture or charge, the hold
//       released as the settlement rules say). A double use's cart (its token admitted at
//       another gate array too) needs confirm "double_use" (--double-use), and only it does.
//   queue.write_off_cart {id, reason, operator}
//       closed without charging: the session is settled without a cart (its hold is voided)
// Each is recorded in the audit log with the operator and reason, and logged with the
// connecting uid; `queue_changed` then plans the settlement and wakes the payment drainer.
#pragma once

#include <functional>

#include <nlohmann/json.hpp>

#include "common/clock.hpp"
#include "common/result.hpp"
#include "controller/config/config.hpp"
#include "db/database.hpp"
#include "drivers/control_server.hpp"

namespace passgate::daemon {

[[nodiscard]] Result<nlohmann::json> queue_charge_cart(db::Database& database, const controller::PaymentsConfig& payments,
                                                       const nlohmann::json& request, const drivers::ControlPeer& peer,
                                                       WallTime now, const std::function<void()>& queue_changed);
[[nodiscard]] Result<nlohmann::json> queue_write_off_cart(db::Database& database, const nlohmann::json& request,
                                                          const drivers::ControlPeer& peer, WallTime now,
                                                          const std::function<void()>& queue_changed);

}  // namespace passgate::daemon
