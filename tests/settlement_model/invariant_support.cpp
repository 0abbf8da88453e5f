// The invariants' shared reads and texts (invariant_support.hpp).
#include "tests/settlement_model/invariant_support.hpp"

#include <algorithm>
#include <iterator>
#include <sstream>
#include <string_view>

namespace passgate::model {

using db::PaymentOpRecord;
using db::PaymentOpState;

std::vector<PaymentOpRecord> all_ops(GateProcess& gate) {
  return read(gate.queue.in_states({PaymentOpState::pending, PaymentOpState::in_flight, PaymentOpState::succeeded,
                                    PaymentOpState::declined, PaymentOpState::dead, PaymentOpState::written_off}),
              "the payment queue");
}

std::vector<PaymentOpRecord> ops_of(const std::vector<PaymentOpRecord>& ops, const std::string& session_id) {
  std::vector<PaymentOpRecord> mine;
  std::copy_if(ops.begin(), ops.end(), std::back_inserter(mine),
               [&session_id](const PaymentOpRecord& op) { return op.session_id == session_id; });
  return mine;
}

std::string text_of(const PaymentOpRecord& op) {
  return op.op + " #" + std::to_string(op.id) + " " + op.idempotency_key + " " + std::to_string(op.amount_minor) +
         " " + op.currency + " " + std::string(db::to_string(op.state)) + (op.alert ? " (alert)" : "");
}

std::string text_of(const std::vector<PaymentOpRecord>& ops) {
  std::string out;
  for (const PaymentOpRecord& op : ops) out += (out.empty() ? "" : "; ") + text_of(op);
  return out.empty() ? "no operations" : out;
}

std::string text_of(const ModelSession& session, const SessionMoney& money) {
  static constexpr const char* kFates[] = {"admitting", "open", "denied", "cancelled"};
  std::ostringstream out;
  out << "session " << session.id << " (hold " << session.hold_minor << ", " << kFates[static_cast<int>(session.fate)]
      << ", first cart " << (session.first_cart ? std::to_string(*session.first_cart) : std::string("none"))
      << (session.tap ? std::string(", card ") + (session.tap->wallet ? "wallet" : "saved") +
                            (session.tap->incremental ? " incremental" : "") +
                            (session.tap->rest == Card::declined ? " declining" : "")
                      : std::string())
      << "): ledger charged " << money.charged << ", captured " << money.captured << ", open holds "
      << money.open_holds.size() << ", released holds " << money.released_holds.size();
  return out.str();
}

bool is_dead_letter(const PaymentOpRecord& op) { return db::is_dead_letter(op.state, op.alert); }

namespace {

constexpr std::string_view kNewAttemptMark = ":retry";  // "<first key>:retry<n>"

}  // namespace

std::string first_key(const std::string& key) {
  const auto at = key.rfind(kNewAttemptMark);
  if (at == std::string::npos) return key;
  const std::string_view n = std::string_view(key).substr(at + kNewAttemptMark.size());
  const bool numbered = !n.empty() && n.find_first_not_of("0123456789") == std::string_view::npos;
  return numbered ? key.substr(0, at) : key;
}

int retry_number(const std::string& key) {
  const std::string first = first_key(key);
  return first.size() == key.size() ? 0 : std::stoi(key.substr(first.size() + kNewAttemptMark.size()));
}

bool is_remainder(const PaymentOpRecord& op) {
  const std::string key = first_key(op.idempotency_key);
  return op.op == "charge" &&
         (key == op.session_id + ":charge:remainder" || key == op.session_id + ":charge:capture:remainder");
}

bool waits_for_dead_letter(const PaymentOpRecord& op, const std::vector<PaymentOpRecord>& ops) {
  if (op.state != PaymentOpState::pending || !op.after_op_id) return false;
  return std::any_of(ops.begin(), ops.end(), [&op](const PaymentOpRecord& other) {
    return other.id == *op.after_op_id && (other.state == PaymentOpState::declined || other.state == PaymentOpState::dead);
  });
}

bool unverified_charge_waits(const std::vector<PaymentOpRecord>& ops, const GatewaySide& gateway) {
  return std::any_of(ops.begin(), ops.end(), [&gateway](const PaymentOpRecord& op) {
    // (The session's charge, or an operator's new attempt at it.)
    const bool the_charge = first_key(op.idempotency_key) == op.session_id + ":charge";
    const bool uncertain = gateway.lied_keys.count(op.idempotency_key) > 0 ||
                           (op.state == PaymentOpState::dead && op.attempts > 1 && the_charge);
    return op.op == "charge" && is_dead_letter(op) && uncertain;
  });
}

}  // namespace passgate::model
