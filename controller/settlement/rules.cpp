#include "controller/settlement/rules.hpp"

#include <algorithm>

#include "controller/settlement/currency.hpp"
#include "ports/payment_gateway.hpp"

namespace passgate::controller {

namespace {

db::NewPaymentOp make_op(const std::string& session_id, PaymentOpKind kind, std::int64_t amount,
                         const std::string& currency, const std::string& intent_id) {
  return settlement_op(session_id, to_string(kind), amount, currency, intent_id);
}

}  // namespace

db::NewPaymentOp settlement_op(const std::string& session_id, std::string_view op, std::int64_t amount,
                               const std::string& currency, const std::string& intent_id) {
  db::NewPaymentOp made;
  made.session_id = session_id;
  made.op = std::string(op);
  made.amount_minor = amount;
  made.currency = currency;
  made.intent_id = intent_id;
  return made;
}

SettlementPlan plan_settlement(const std::string& session_id, const std::optional<db::FinalCart>& cart,
                               const std::optional<PlacedHold>& hold) {
  SettlementPlan plan;
  plan.decision.session_id = session_id;
  plan.decision.from_cart = cart.has_value();
  plan.decision.total_minor = cart ? cart->total_minor : 0;
  plan.decision.hold_minor = hold ? hold->amount_minor : 0;
  const auto void_hold = [&] {
    return make_op(session_id, PaymentOpKind::void_hold, 0, hold->currency, hold->intent_id);
  };

  if (!cart || cart->total_minor == 0) {
    if (hold) {
      plan.decision.plan = "void";
      plan.ops.push_back(void_hold());
    } else {
      plan.decision.plan = "none";
    }
    return plan;
  }
  if (!hold) {
    plan.decision.plan = "charge";
    plan.ops.push_back(make_op(session_id, PaymentOpKind::charge, cart->total_minor, cart->currency, ""));
    return plan;
  }
  if (cart->total_minor <= hold->amount_minor && cart->currency == hold->currency) {
    plan.decision.plan = "capture";
    plan.ops.push_back(make_op(session_id, PaymentOpKind::capture, cart->total_minor, cart->currency, hold->intent_id));
    return plan;
  }
  plan.decision.plan = "charge+void";  // the void (or a capture) follows the charge: plan_after_charge
  plan.ops.push_back(make_op(session_id, PaymentOpKind::charge, cart->total_minor, cart->currency, ""));
  return plan;
}

AfterCharge plan_after_charge(const db::PaymentOpRecord& charge, const db::FinalCart& cart, const PlacedHold& hold) {
  AfterCharge after;
  const std::string& session_id = charge.session_id;
  const bool failed = charge.state == db::PaymentOpState::declined || charge.state == db::PaymentOpState::dead;
  const std::int64_t capturable =
      failed && hold.currency == cart.currency && hold.amount_minor > 0 ? std::min(cart.total_minor, hold.amount_minor) : 0;
  if (capturable == 0) {
    after.plan = "void";
    after.ops.push_back(make_op(session_id, PaymentOpKind::void_hold, 0, hold.currency, hold.intent_id));
    return after;
  }
  after.plan = "capture_from_hold";
  after.ops.push_back(make_op(session_id, PaymentOpKind::capture, capturable, cart.currency, hold.intent_id));
  const std::int64_t remainder = cart.total_minor - capturable;
  if (remainder > 0) {
    db::NewPaymentOp rest = make_op(session_id, PaymentOpKind::charge, remainder, cart.currency, "");
    rest.key_suffix = "remainder";
    after.remainder = std::move(rest);
    after.remainder_reason = "partially paid: the charge of " + format_amount(cart.total_minor, cart.currency) +
                             " failed (" + charge.last_error + "); " + format_amount(capturable, cart.currency) +
                             " captured from the hold; " + format_amount(remainder, cart.currency) + " unpaid";
  }
  return after;
}

}  // namespace passgate::controller
