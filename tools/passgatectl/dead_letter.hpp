// The dead-letter list: operations that reached a final failure (declined, or dead: a
// non-retryable error) with `alert` set, so an operator must retry or write them off.
// Declines that need no operator (a hold refused at entry, the shopper turned away) have
// `alert` cleared and are not on it.
#pragma once

#include "db/payment_queue.hpp"

namespace passgate::ctl {

[[nodiscard]] inline bool is_dead_letter(const db::PaymentOpRecord& op) {
  return op.alert && (op.state == db::PaymentOpState::declined || op.state == db::PaymentOpState::dead);
}

}  // namespace passgate::ctl
