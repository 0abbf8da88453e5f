#include "controller/settlement/charge_reference.hpp"

#include <utility>

namespace passgate::controller {

namespace {

Result<std::string> open_card_ref(const crypto::PaymentSealer& sealer, const db::SealedRef& ref,
                                  const std::string& session_id) {
  return sealer.open(crypto::SealedValue{ref.key_id, ref.bytes}, session_id);
}

Result<crypto::PaymentReference> card_reference(db::CardAttemptStore& cards, const crypto::PaymentSealer& sealer,
                                        const std::string& session_id) {
  auto attempt = cards.find(session_id);
  if (!attempt) return make_error("unreadable", "cannot read the card attempt: " + attempt.error().message);
  if (!attempt->has_value()) return make_error("no_reference", "the session has no payment reference");
  const db::CardAttemptRecord& a = **attempt;
  if (a.state != db::CardAttemptState::admitted) {
    return make_error("no_reference", "the session's card attempt was not admitted: nothing is charged to it");
  }
  if (a.card.generated_card.empty() || a.customer.empty()) {
    return make_error("no_reference", "the card session has no saved card to charge (a wallet)");
  }
  auto customer = open_card_ref(sealer, a.customer, session_id);
  if (!customer) return customer.error();
  auto card = open_card_ref(sealer, a.card.generated_card, session_id);
  if (!card) return card.error();
  return crypto::PaymentReference{std::move(*customer), std::move(*card)};
}

}  // namespace

Result<crypto::PaymentReference> charge_reference(db::SessionStore& sessions, db::CardAttemptStore* cards,
                                          const crypto::PaymentSealer& sealer, const std::string& session_id) {
  auto session = sessions.find(session_id);
  if (!session) return make_error("unreadable", "cannot read the session: " + session.error().message);
  if (!session->has_value()) return make_error("no_reference", "the session has no payment reference");
  if ((*session)->pay_sealed.empty()) {
    if (cards == nullptr) return make_error("no_reference", "the session has no payment reference");
    return card_reference(*cards, sealer, session_id);
  }
  return crypto::open_payment_reference(sealer, crypto::SealedValue{(*session)->pay_key_id, (*session)->pay_sealed},
                                        session_id);
}

}  // namespace passgate::controller
