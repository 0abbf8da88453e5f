#include "controller/card_entry/attempt_record.hpp"

namespace passgate::controller {

namespace {

Result<std::string> open_reference(const crypto::PaymentSealer& sealer, const db::SealedRef& ref,
                                   const std::string& session_id) {
  if (ref.empty()) return std::string();
  return sealer.open(crypto::SealedValue{ref.key_id, ref.bytes}, session_id);
}

}  // namespace

db::CardAttemptKeys card_attempt_keys(const std::string& session_id, int try_counter) {
  TerminalAttempt a;
  a.session_id = session_id;
  a.try_counter = try_counter;
  return db::CardAttemptKeys{.customer = terminal_idempotency_key(TerminalStep::create_customer, a),
                             .hold = terminal_idempotency_key(TerminalStep::create_hold, a),
                             .confirm = terminal_idempotency_key(TerminalStep::confirm, a),
                             .process = terminal_idempotency_key(TerminalStep::process, a),
                             .void_intent = terminal_idempotency_key(TerminalStep::void_intent, a),
                             .collect = terminal_idempotency_key(TerminalStep::collect, a),
                             .cancel_action = terminal_idempotency_key(TerminalStep::cancel_action, a)};
}

db::NewCardAttempt new_card_attempt(const CardEntrySettings& settings, const std::string& session_id) {
  return db::NewCardAttempt{.session_id = session_id,
                            .lane = settings.lane,
                            .reader_id = settings.reader_id,
                            .currency = settings.currency,
                            .hold_minor = settings.hold_minor,
                            .keys = card_attempt_keys(session_id, 0)};
}

Result<TerminalAttempt> terminal_attempt_of(const db::CardAttemptRecord& record, const CardEntrySettings& settings,
                                            const crypto::PaymentSealer& sealer) {
  TerminalAttempt a;
  a.session_id = record.session_id;
  a.gate_id = settings.gate.gate_id;
  a.lane = record.lane;
  a.reader_id = record.reader_id;
  a.currency = record.currency;
  a.hold_minor = record.hold_minor;
  a.try_counter = record.try_counter;
  auto customer = open_reference(sealer, record.customer, record.session_id);
  if (!customer) return customer.error();
  auto intent = open_reference(sealer, record.intent, record.session_id);
  if (!intent) return intent.error();
  a.customer = std::move(*customer);
  a.intent_id = std::move(*intent);
  return a;
}

Result<db::SealedRef> seal_reference(const crypto::PaymentSealer& sealer, const std::string& reference,
                                     const std::string& session_id) {
  auto sealed = sealer.seal(reference, session_id);
  if (!sealed) return sealed.error();
  return db::SealedRef{std::move(sealed->key_id), std::move(sealed->blob)};
}

}  // namespace passgate::controller
