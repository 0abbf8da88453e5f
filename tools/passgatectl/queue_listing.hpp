// passgatectl queue: the payment operations an operator looks at, as a table or as JSON:
// pending, in flight and the dead-letter list (with `all`: every operation, succeeded and
// written off too), oldest first, each with its session, op, amount, state, age, attempts and
// last error; then counts by state and the amount owed by currency. Never a payment
// reference or a PaymentIntent id.
#pragma once

#include <cstdint>
#include <ostream>

#include "common/result.hpp"
#include "db/database.hpp"

namespace passgate::ctl {

struct QueueListingOptions {
  bool all = false;   // every state, not only what is outstanding or needs an operator
  bool json = false;  // one JSON object instead of the table
};

[[nodiscard]] Status print_queue(db::Database& database, const QueueListingOptions& options, std::int64_t now_ms,
                                 std::ostream& out);

}  // namespace passgate::ctl
