#include "tools/passgatectl/payments_status.hpp"

#include <algorithm>
#include <set>
#include <string>

#include "db/settlement_store.hpp"
#include "tools/passgatectl/dead_letter.hpp"
#include "tools/passgatectl/display_format.hpp"

namespace passgate::ctl {

Result<PaymentsStatus> read_payments_status(db::Database& database) {
  PaymentsStatus status;
  auto gateway = db::GateStatus(database).get("gateway");
  if (!gateway.ok()) return gateway.error();
  status.gateway = gateway.value();
  db::PaymentQueue queue(database);
  auto totals = queue.totals();
  if (!totals.ok()) return totals.error();
  status.queue = totals.value();

  auto settlements = db::SettlementStore(database).settlements();
  if (!settlements.ok()) return settlements.error();
  auto ops = queue.in_states({db::PaymentOpState::pending, db::PaymentOpState::in_flight, db::PaymentOpState::declined,
                              db::PaymentOpState::dead});
  if (!ops.ok()) return ops.error();
  std::set<std::string> unsettled;  // sessions with an operation outstanding or in the dead-letter list
  for (const auto& op : ops.value()) {
    if (!is_final(op.state) || is_dead_letter(op)) unsettled.insert(op.session_id);
  }
  status.settlements_decided = static_cast<std::int64_t>(settlements->size());
  status.sessions_settled = std::count_if(settlements->begin(), settlements->end(), [&](const db::SettlementRecord& s) {
    return unsettled.count(s.decision.session_id) == 0;
  });
  return status;
}

void add_payments_json(const PaymentsStatus& payments, std::int64_t now_ms, nlohmann::json& status) {
  nlohmann::json gateway{{"state", payments.gateway ? payments.gateway->value : "unknown"}};
  if (payments.gateway) {
    gateway["since"] = format_time(payments.gateway->updated_at_ms);
    gateway["since_ms"] = payments.gateway->updated_at_ms;
  }
  const auto& q = payments.queue;
  status["gateway"] = gateway;
  status["payment_queue"] = {
      {"outstanding", q.outstanding_ops},
      {"owed_minor", by_currency_code(q.outstanding_minor)},
      {"oldest_age_s",
       q.oldest_created_at_ms ? nlohmann::json(age_seconds(*q.oldest_created_at_ms, now_ms)) : nlohmann::json()},
      {"dead_letters", q.dead_letters}};
  status["settlements"] = {{"decided", payments.settlements_decided}, {"settled", payments.sessions_settled}};
}

void print_payments(const PaymentsStatus& payments, std::int64_t now_ms, std::ostream& out) {
  out << "payment gateway: ";
  if (payments.gateway) {
    out << payments.gateway->value << " since " << format_time(payments.gateway->updated_at_ms) << " ("
        << format_age(now_ms - payments.gateway->updated_at_ms) << " ago)\n";
  } else {
    out << "unknown (passgated has not sent a payment request yet)\n";
  }
  const auto& q = payments.queue;
  out << "payment queue: " << q.outstanding_ops << " operation(s) outstanding, owed "
      << format_amounts(q.outstanding_minor);
  if (q.oldest_created_at_ms) out << ", oldest " << format_age(now_ms - *q.oldest_created_at_ms);
  out << '\n' << "dead letters: " << q.dead_letters;
  if (q.dead_letters > 0) out << " (passgatectl queue lists them; an operator must retry or write off each)";
  out << '\n'
      << "settlements: " << payments.sessions_settled << " session(s) settled of " << payments.settlements_decided
      << " decided\n";
}

}  // namespace passgate::ctl
