#include "tools/passgatectl/queue_actions.hpp"

#include <algorithm>
#include <cctype>
#include <optional>

#include "db/payment_queue.hpp"
#include "tools/passgatectl/dead_letter.hpp"
#include "tools/passgatectl/display_format.hpp"

namespace passgate::ctl {

namespace {

using db::PaymentOpRecord;
using db::PaymentOpState;

// Why an operation that is not a dead letter cannot be retried or written off.
std::string not_a_dead_letter(const PaymentOpRecord& op) {
  switch (op.state) {
    case PaymentOpState::pending:
      return "it is pending: passgated sends it by itself";
    case PaymentOpState::in_flight:
      return "it is in flight: passgated is sending it now";
    case PaymentOpState::succeeded:
      return "it succeeded; nothing is owed on it";
    case PaymentOpState::written_off:
      return "it is already written off";
    case PaymentOpState::declined:
    case PaymentOpState::dead:
      break;
  }
  return "it is " + std::string(db::to_string(op.state)) +
         " without an alert, a failure that needs no operator (e.g. a hold declined at entry: the shopper was"
         " turned away)";
}

// The dead letter `action` names, or why the action does not apply to it.
Result<PaymentOpRecord> find_dead_letter(db::PaymentQueue& queue, std::int64_t id, std::string_view verb) {
  auto found = queue.find(id);
  if (!found.ok()) return found.error();
  if (!found.value()) {
    return make_error("not_found", "no payment operation " + std::to_string(id) +
                                       " in this gate's queue (passgatectl queue --all lists every one)");
  }
  const PaymentOpRecord& op = **found;
  if (!is_dead_letter(op)) {
    return make_error("wrong_state", "cannot " + std::string(verb) + " payment operation " + std::to_string(id) + ": " +
                                         not_a_dead_letter(op) + ". Only dead letters (declined or dead, listed by"
                                         " passgatectl queue) can be retried or written off.");
  }
  return op;
}

// "charge of 12.34 USD for session <id>"
std::string describe(const PaymentOpRecord& op) {
  return op.op + " of " + format_amount(op.amount_minor, op.currency) + " for session " + op.session_id;
}

bool blank(const std::string& text) {
  return std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isspace(c) != 0; });
}

}  // namespace

Status retry_dead_letter(db::Database& database, const OperatorAction& action, std::ostream& out) {
  db::PaymentQueue queue(database);
  auto op = find_dead_letter(queue, action.op_id, "retry");
  if (!op.ok()) return op.error();
  if (Status retried = queue.retry(action.op_id, action.actor, action.now_ms); !retried) return retried;
  out << "Payment operation " << action.op_id << " (" << describe(*op) << ") is pending again; recorded in the audit"
      << " log as " << action.actor << ".\n"
      << "passgated's drainer looks at the queue every second and resends it with its same idempotency key; there is"
      << " no need to signal or restart passgated. Follow it with: passgatectl queue --all\n";
  if (op->state == PaymentOpState::declined) {
    out << "Note: for 24 hours after the first attempt the gateway answers the same key with its first answer, so a"
        << " decline may come back unchanged.\n";
  }
  return {};
}

Status write_off_dead_letter(db::Database& database, const OperatorAction& action, const std::string& reason,
                             std::ostream& out) {
  if (blank(reason)) {
    return make_error("bad_reason",
                      "a write-off needs a reason: --reason TEXT saying why the money is not collected through the"
                      " gate (e.g. \"paid at the service desk, receipt 4711\")");
  }
  db::PaymentQueue queue(database);
  auto op = find_dead_letter(queue, action.op_id, "write off");
  if (!op.ok()) return op.error();
  if (Status written_off = queue.write_off(action.op_id, reason, action.actor, action.now_ms); !written_off)
    return written_off;
  out << "Payment operation " << action.op_id << " (" << describe(*op) << ") is written off: nothing more will be sent"
      << " for it. Recorded in the audit log as " << action.actor << ", reason: " << reason << '\n';
  return {};
}

}  // namespace passgate::ctl
