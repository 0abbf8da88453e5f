#include "controller/settlement/dead_letters.hpp"

#include <algorithm>
#include <cctype>
#include <string_view>
#include <utility>

namespace passgate::controller {

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
  if (op.replaced_by) {
    return "it is " + std::string(db::to_string(op.state)) + " and was replaced by payment operation " +
           std::to_string(*op.replaced_by) + " (an operator's new attempt, or what settlement put in its place): act on "
           "that one";
  }
  return "it is " + std::string(db::to_string(op.state)) +
         " without an alert, a failure that needs no operator (e.g. a hold declined at entry: the shopper was"
         " turned away)";
}

// The dead letter `id` names, or why the action (`verb`) does not apply to it.
Result<PaymentOpRecord> find_dead_letter(db::PaymentQueue& queue, std::int64_t id, std::string_view verb) {
  auto found = queue.find(id);
  if (!found.ok()) return found.error();
  if (!found.value()) {
    return make_error("not_found", "no payment operation " + std::to_string(id) +
                                       " in this gate's queue (passgatectl queue --all lists every one)");
  }
  const PaymentOpRecord& op = **found;
  if (!db::is_dead_letter(op.state, op.alert)) {
    return make_error("wrong_state", "cannot " + std::string(verb) + " payment operation " + std::to_string(id) +
                                         ": " + not_a_dead_letter(op) +
                                         ". Only dead letters (declined or dead, listed by passgatectl queue) can be"
                                         " retried or written off.");
  }
  return op;
}

bool blank(const std::string& text) {
  return std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isspace(c) != 0; });
}

}  // namespace

Result<RetriedDeadLetter> retry_dead_letter(db::PaymentQueue& queue, const DeadLetterAction& action) {
  auto op = find_dead_letter(queue, action.op_id, "retry");
  if (!op.ok()) return op.error();
  if (Status retried = queue.retry(action.op_id, action.actor, action.now_ms); !retried) return retried.error();
  RetriedDeadLetter done{std::move(*op), std::nullopt};
  // Retried: what it says now tells whether a new attempt replaced it.
  auto now = queue.find(action.op_id);
  if (!now.ok()) return now.error();
  if (now.value() && (*now)->replaced_by) done.new_attempt_id = (*now)->replaced_by;
  return done;
}

Result<PaymentOpRecord> write_off_dead_letter(db::PaymentQueue& queue, const DeadLetterAction& action,
                                              const std::string& reason) {
  if (blank(reason)) {
    return make_error("bad_reason",
                      "a write-off needs a reason: --reason TEXT saying why the money is not collected through the"
                      " gate (e.g. \"paid at the service desk, receipt 4711\")");
  }
  auto op = find_dead_letter(queue, action.op_id, "write off");
  if (!op.ok()) return op;
  if (Status written_off = queue.write_off(action.op_id, reason, action.actor, action.now_ms); !written_off)
    return written_off.error();
  return op;
}

}  // namespace passgate::controller
