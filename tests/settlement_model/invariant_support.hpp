// What the invariants share (day_invariants.cpp, card_invariants.cpp): the gate's payment
// queue read whole, one session's operations, their text for a violation's detail, and which
// of them only an operator can move on.
#pragma once

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "common/result.hpp"
#include "db/payment_queue.hpp"
#include "tests/settlement_model/gate_process.hpp"
#include "tests/settlement_model/gateway_side.hpp"
#include "tests/settlement_model/ledger_money.hpp"
#include "tests/settlement_model/shop_model.hpp"

namespace passgate::model {

// The value, or a harness error (the gate's own reads must work).
template <class T>
T read(Result<T> result, const std::string& what) {
  if (!result.ok()) throw std::runtime_error("cannot read " + what + ": " + result.error().message);
  return std::move(result).value();
}

[[nodiscard]] std::vector<db::PaymentOpRecord> all_ops(GateProcess& gate);
[[nodiscard]] std::vector<db::PaymentOpRecord> ops_of(const std::vector<db::PaymentOpRecord>& ops,
                                                      const std::string& session_id);
// "charge #7 s3:charge 6000 USD dead (alert)"
[[nodiscard]] std::string text_of(const db::PaymentOpRecord& op);
[[nodiscard]] std::string text_of(const std::vector<db::PaymentOpRecord>& ops);
[[nodiscard]] std::string text_of(const ModelSession& session, const SessionMoney& money);
[[nodiscard]] bool is_dead_letter(const db::PaymentOpRecord& op);
// The key an operation was first planned under: `key` less an operator's new attempt's
// ":retry<n>" ("s3:charge:remainder:retry2" -> "s3:charge:remainder").
[[nodiscard]] std::string first_key(const std::string& key);
// Which new attempt `key` is: n of its ":retry<n>"; 0 for the operation's first key.
[[nodiscard]] int retry_number(const std::string& key);
// A charge of a session's unpaid remainder ("<sid>:charge:remainder",
// "<sid>:charge:capture:remainder"), or an operator's new attempt at one.
[[nodiscard]] bool is_remainder(const db::PaymentOpRecord& op);
// A pending operation that waits for a dead letter: only the operator can move it on.
[[nodiscard]] bool waits_for_dead_letter(const db::PaymentOpRecord& op, const std::vector<db::PaymentOpRecord>& ops);
// The session's charge, dead-lettered when money may have moved (a misstated answer, or a
// refusal after an earlier send whose outcome was unknown): the operator's to resolve.
[[nodiscard]] bool unverified_charge_waits(const std::vector<db::PaymentOpRecord>& ops, const GatewaySide& gateway);

}  // namespace passgate::model
