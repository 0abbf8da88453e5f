#include "db/queue_view.hpp"

#include <algorithm>
#include <stdexcept>

#include <SQLiteCpp/SQLiteCpp.h>

#include "db/sqlite_error.hpp"
#include "db/statement_cache.hpp"

namespace passgate::db {

namespace {

// Not yet final, or a dead letter (payment_queue.hpp, is_dead_letter).
constexpr std::string_view kOutstandingOrDeadLetter =
    " WHERE state IN ('pending', 'in_flight') OR (state IN ('declined', 'dead') AND alert = 1)";

PaymentOpState op_state_of(const SQLite::Column& column) {
  const std::string name = column.getString();
  const auto state = payment_op_state_from_string(name);
  if (!state) throw std::runtime_error("a payment operation has the unknown state '" + name + "'");
  return *state;
}

}  // namespace

Result<QueueView> read_queue_view(Database& db, bool all, int limit) {
  return guarded("list the payment queue", [&]() -> Result<QueueView> {
    const std::string where = all ? "" : std::string(kOutstandingOrDeadLetter);
    QueueView view;
    if (all) {
      for (const auto s : {PaymentOpState::pending, PaymentOpState::in_flight, PaymentOpState::succeeded,
                           PaymentOpState::declined, PaymentOpState::dead, PaymentOpState::written_off})
        view.by_state[s] = 0;
    } else {
      for (const auto s : {PaymentOpState::pending, PaymentOpState::in_flight, PaymentOpState::declined,
                           PaymentOpState::dead})
        view.by_state[s] = 0;
    }
    auto counts = db.statement("SELECT state, COUNT(*) FROM payment_ops" + where + " GROUP BY state");
    while (counts->executeStep()) {
      const std::int64_t n = counts->getColumn(1).getInt64();
      view.by_state[op_state_of(counts->getColumn(0))] = n;
      view.matching += n;
    }
    auto rows = db.statement(
        "SELECT id, session_id, op, amount_minor, currency, state, alert, attempts, created_at_ms, last_error"
        " FROM payment_ops" + where + " ORDER BY id DESC LIMIT ?1");
    rows->bind(1, limit > 0 ? std::int64_t{limit} : std::int64_t{-1});
    while (rows->executeStep()) {
      view.rows.push_back(QueueRow{rows->getColumn(0).getInt64(), rows->getColumn(1).getString(),
                                   rows->getColumn(2).getString(), rows->getColumn(3).getInt64(),
                                   rows->getColumn(4).getString(), op_state_of(rows->getColumn(5)),
                                   rows->getColumn(6).getInt() != 0, rows->getColumn(7).getInt(),
                                   rows->getColumn(8).getInt64(), rows->getColumn(9).getString()});
    }
    std::reverse(view.rows.begin(), view.rows.end());
    return view;
  });
}

}  // namespace passgate::db
