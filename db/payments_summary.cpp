#include "db/payments_summary.hpp"

#include <SQLiteCpp/SQLiteCpp.h>

#include "db/sqlite_error.hpp"
#include "db/statement_cache.hpp"

namespace passgate::db {

Result<PaymentsSummary> read_payments_summary(Database& db) {
  PaymentsSummary summary;
  auto gateway = GateStatus(db).get("gateway");
  if (!gateway.ok()) return gateway.error();
  summary.gateway = gateway.value();
  auto totals = PaymentQueue(db).totals();
  if (!totals.ok()) return totals.error();
  summary.queue = totals.value();
  return guarded("count settled sessions", [&]() -> Result<PaymentsSummary> {
    // Kept by triggers (migration 13): no walk over the settlements kept.
    auto decided = db.statement("SELECT COALESCE((SELECT n FROM row_counts WHERE name = 'settlements'), 0)");
    decided->executeStep();
    summary.settlements_decided = decided->getColumn(0).getInt64();
    // Settled sessions whose operations are outstanding or in the dead-letter list (few:
    // found through the state index, then each session's settlement by its key).
    auto unsettled = db.statement(
        "SELECT COUNT(DISTINCT o.session_id) FROM payment_ops o JOIN settlements s ON s.session_id = o.session_id"
        " WHERE o.state IN ('pending', 'in_flight') OR (o.state IN ('declined', 'dead') AND o.alert = 1)");
    unsettled->executeStep();
    summary.sessions_settled = summary.settlements_decided - unsettled->getColumn(0).getInt64();
    return summary;
  });
}

}  // namespace passgate::db
