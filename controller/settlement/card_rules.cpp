#include "controller/settlement/card_rules.hpp"

#include "controller/settlement/currency.hpp"
#include "controller/settlement/rules.hpp"

namespace passgate::controller {

namespace {

// The unpaid part's key suffix: "remainder" for the rest above the hold, "capture:remainder"
// for what a capture whose hold was gone did not collect (both may be unpaid in one session).
constexpr const char* kRestRemainder = "remainder";
constexpr const char* kCaptureRemainder = "capture:remainder";

db::UnpaidRemainder unpaid(const std::string& session_id, std::int64_t amount, const std::string& currency,
                           const CardHold& hold, const std::string& why, const char* suffix = kRestRemainder) {
  db::NewPaymentOp rest = settlement_op(session_id, "charge", amount, currency, "");
  rest.key_suffix = suffix;
  return db::UnpaidRemainder{std::move(rest), "partially paid: " + why + "; " + format_amount(amount, currency) +
                                                  " unpaid; the card is on the blocklist until this is settled",
                             hold.fingerprint_hash};
}

// Collects `rest` (> 0) beyond what the hold covers, `captured` (0 when nothing was): a charge
// to the saved card, or unpaid.
void collect_rest(CardPlan& plan, const std::string& session_id, std::int64_t rest, std::int64_t captured,
                  const std::string& currency, const CardHold& hold, const std::string& why_no_capture) {
  const std::string captured_text = captured > 0 ? format_amount(captured, currency) + " captured from the hold"
                                                 : why_no_capture;
  if (hold.card_saved) {
    plan.ops.push_back(settlement_op(session_id, "charge", rest, currency, ""));
    return;
  }
  plan.unpaid = unpaid(session_id, rest, currency, hold, "no saved card to charge (a wallet); " + captured_text);
}

// The rows without an increment for T > H: capture H, then the rest.
void capture_then_rest(CardPlan& plan, const std::string& session_id, const db::FinalCart& cart, const CardHold& hold) {
  plan.ops.push_back(settlement_op(session_id, "capture", hold.amount_minor, cart.currency, hold.intent_id));
  collect_rest(plan, session_id, cart.total_minor - hold.amount_minor, hold.amount_minor, cart.currency, hold, "");
}

}  // namespace

CardPlan plan_card_settlement(const std::string& session_id, const std::optional<db::FinalCart>& cart,
                              const CardHold& hold) {
  CardPlan plan;
  plan.decision.session_id = session_id;
  plan.decision.from_cart = cart.has_value();
  plan.decision.total_minor = cart ? cart->total_minor : 0;
  plan.decision.hold_minor = hold.amount_minor;
  // T = 0: a void, whatever the hold's deadline (a void of a hold already gone is refused, and
  // its hold read back canceled with nothing received counts as done: hold_check.hpp).
  if (!cart || cart->total_minor == 0) {
    plan.decision.plan = "card:void";
    plan.ops.push_back(settlement_op(session_id, "void", 0, hold.currency, hold.intent_id));
    return plan;
  }
  const std::int64_t total = cart->total_minor;
  if (currency_code(cart->currency) != currency_code(hold.currency)) {
    plan.decision.plan = hold.card_saved ? "card:charge" : "card:unpaid";
    plan.ops.push_back(settlement_op(session_id, "void", 0, hold.currency, hold.intent_id));
    collect_rest(plan, session_id, total, 0, cart->currency, hold, "the hold is in another currency");
    return plan;
  }
  // A hold past its capture_before by this box's clock is planned as one that stands: the clock
  // may be ahead of the network's, and only the network knows. Its capture, refused because the
  // hold is really gone (read back canceled with nothing received), is replaced by a charge of its
  // amount to the saved card (card_after_lost_hold); voiding it here would give up a live hold.
  if (total <= hold.amount_minor) {
    plan.decision.plan = "card:capture";
    plan.ops.push_back(settlement_op(session_id, "capture", total, cart->currency, hold.intent_id));
    return plan;
  }
  if (hold.incremental) {
    // The hold raised to the total first; its follow-up (card_after_increment) queues the
    // capture once the increment is final, so only the increment is queued now.
    plan.decision.plan = "card:increment+capture";
    plan.ops.push_back(settlement_op(session_id, "increment", total, cart->currency, hold.intent_id));
    return plan;
  }
  plan.decision.plan = hold.card_saved ? "card:capture+charge" : "card:capture+unpaid";
  capture_then_rest(plan, session_id, *cart, hold);
  return plan;
}

CardPlan card_after_increment(const db::PaymentOpRecord& increment, const db::FinalCart& cart, const CardHold& hold) {
  CardPlan plan;
  plan.decision.session_id = increment.session_id;
  plan.decision.total_minor = cart.total_minor;
  plan.decision.hold_minor = hold.amount_minor;
  if (increment.state == db::PaymentOpState::succeeded) {
    plan.decision.plan = "capture";
    plan.ops.push_back(settlement_op(increment.session_id, "capture", cart.total_minor, cart.currency, hold.intent_id));
    return plan;
  }
  plan.decision.plan = hold.card_saved ? "capture+charge" : "capture+unpaid";
  capture_then_rest(plan, increment.session_id, cart, hold);
  return plan;
}

db::UnpaidRemainder card_charge_unpaid(const db::PaymentOpRecord& charge, const CardHold& hold) {
  const bool of_capture = charge.idempotency_key == charge.session_id + ":charge:" + kCaptureKeySuffix;
  return unpaid(charge.session_id, charge.amount_minor, charge.currency, hold,
                "the off-session charge of " + format_amount(charge.amount_minor, charge.currency) + " to the saved card failed (" +
                    charge.last_error + ")",
                of_capture ? kCaptureRemainder : kRestRemainder);
}

CardPlan card_after_lost_hold(const db::PaymentOpRecord& capture, const CardHold& hold) {
  CardPlan plan;
  plan.decision.session_id = capture.session_id;
  plan.decision.total_minor = capture.amount_minor;
  plan.decision.hold_minor = hold.amount_minor;
  const std::string amount = format_amount(capture.amount_minor, capture.currency);
  if (hold.card_saved) {
    plan.decision.plan = "charge";
    db::NewPaymentOp charge = settlement_op(capture.session_id, "charge", capture.amount_minor, capture.currency, "");
    charge.key_suffix = kCaptureKeySuffix;
    plan.ops.push_back(std::move(charge));
    return plan;
  }
  plan.decision.plan = "unpaid";
  plan.unpaid = unpaid(capture.session_id, capture.amount_minor, capture.currency, hold,
                       "the hold lapsed or was cancelled before its " + capture.op + " of " + amount +
                           " went through, and there is no saved card to charge (a wallet)",
                       kCaptureRemainder);
  return plan;
}

}  // namespace passgate::controller
