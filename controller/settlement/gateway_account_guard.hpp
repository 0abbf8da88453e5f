// The gateway account payment operations were begun with: an idempotency key is known only
// to the account it was first sent to, and a hold lives in the account that placed it, so an
// operation begun with one account is never sent to another (an unknown outcome resent to a
// new account could charge twice; a capture or void there finds no hold). The account in use
// (crypto::gateway_account_id: the gateway URL and API key) is recorded in the database
// (db::GateStatus, "gateway_account"); a start or a reload that points at another account is
// refused while operations begun with the recorded one are outstanding.
#pragma once

#include <cstdint>
#include <string>

#include "common/result.hpp"
#include "db/gate_status.hpp"
#include "db/payment_queue.hpp"

namespace passgate::controller {

// Error "gateway_account_changed" (what to do in the message) if `account` is not the
// recorded one and operations begun there are outstanding; the database's error if it
// cannot be read.
[[nodiscard]] Status check_gateway_account(db::GateStatus& status, db::PaymentQueue& queue,
                                           const std::string& account);
// Records `account` as the one in use.
[[nodiscard]] Status record_gateway_account(db::GateStatus& status, const std::string& account, std::int64_t now_ms);

}  // namespace passgate::controller
