#include "passgated/control_quarantine.hpp"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <string>

#include <spdlog/spdlog.h>

#include "common/log_value.hpp"
#include "common/time_format.hpp"
#include "passgated/control_request.hpp"
#include "db/cart_quarantine.hpp"

namespace passgate::daemon {

using json = nlohmann::json;

namespace {

// The reason an operator gives, required and not blank.
Result<std::string> reason_of(const json& request) {
  const auto it = request.find("reason");
  const std::string reason = it != request.end() && it->is_string() ? it->get<std::string>() : std::string();
  if (std::all_of(reason.begin(), reason.end(), [](unsigned char c) { return std::isspace(c) != 0; })) {
    return make_error("bad_reason", "settling a quarantined cart needs a reason: --reason TEXT saying what was"
                                    " checked (e.g. \"total confirmed with the store: 12.34\")");
  }
  return reason;
}

json settled_json(const db::QuarantineRecord& q, const db::AuditActor& actor, const std::string& reason) {
  json reply{{"quarantined_cart",
              {{"id", q.id},
               {"session_id", q.cart.session_id},
               {"reason", db::to_string(q.cart.reason)},
               {"detail", q.cart.detail}}},
             {"reason", reason}};
  put_actor(reply, actor);
  return reply;
}

// The quarantined cart the request names, as it is before the action.
Result<db::QuarantineRecord> named_cart(db::CartQuarantine& quarantine, const json& request) {
  auto id = integer_argument(request, "id", kIdRange);
  if (!id.ok()) return id.error();
  auto found = quarantine.find(*id);
  if (!found.ok()) return found.error();
  if (!*found) {
    return make_error("not_found", "no quarantined cart " + std::to_string(*id) +
                                       " in this gate (passgatectl queue lists the open ones)");
  }
  return std::move(**found);
}

}  // namespace

Result<json> queue_charge_cart(db::Database& database, const controller::PaymentsConfig& payments, const json& request,
                               const drivers::ControlPeer& peer, WallTime now,
                               const std::function<void()>& queue_changed) {
  const db::AuditActor actor = audit_actor_of(request, peer);
  auto reason = reason_of(request);
  if (!reason.ok()) return reason.error();
  auto amount = integer_argument(request, "amount_minor", IntegerRange{0, payments.max_cart_minor});
  if (!amount.ok()) {
    return make_error("invalid_argument", amount.error().message + " (payments.max_cart_minor): a larger total is"
                                                                   " not charged through the gate");
  }
  const std::string currency = request.value("currency", std::string());
  if (currency != payments.currency) {
    return make_error("invalid_argument", "currency: expected the gate's currency " + payments.currency +
                                              " (payments.currency); a cart in another currency cannot be charged"
                                              " here, write it off");
  }
  // "confirm": "double_use": the operator confirms charging a double use's cart.
  const auto confirm_field = request.find("confirm");
  const bool confirm_given = confirm_field != request.end();
  const std::string confirm =
      confirm_given && confirm_field->is_string() ? confirm_field->get<std::string>() : std::string();
  if (confirm_given && confirm != "double_use") {
    return make_error("invalid_argument", "confirm: expected \"double_use\" (passgatectl queue charge-cart"
                                          " --double-use) or nothing");
  }
  const auto double_use =
      !confirm_given ? db::CartQuarantine::DoubleUse::not_confirmed : db::CartQuarantine::DoubleUse::confirmed;
  db::CartQuarantine quarantine(database);
  auto cart = named_cart(quarantine, request);
  if (!cart.ok()) return cart.error();
  if (Status charged = quarantine.charge(cart->id, currency, *amount, *reason, actor, unix_millis(now), double_use);
      !charged)
    return charged.error();
  const bool confirmed = double_use == db::CartQuarantine::DoubleUse::confirmed;
  spdlog::warn("event=quarantined_cart_charged id={} session={} total_minor={} currency={} operator={} uid={} "
               "reason={}{}",
               cart->id, log_value(cart->cart.session_id), *amount, currency, log_value(actor.name), peer.uid(),
               log_value(*reason), confirmed ? " double_use=confirmed" : "");
  if (queue_changed) queue_changed();
  // As the row is now (a confirmed double use's row says double_use).
  if (confirmed) cart->cart.reason = db::QuarantineReason::double_use;
  json reply = settled_json(*cart, actor, *reason);
  reply["amount_minor"] = *amount;
  reply["currency"] = currency;
  return drivers::control_ok(std::move(reply));
}

Result<json> queue_write_off_cart(db::Database& database, const json& request, const drivers::ControlPeer& peer,
                                  WallTime now, const std::function<void()>& queue_changed) {
  const db::AuditActor actor = audit_actor_of(request, peer);
  auto reason = reason_of(request);
  if (!reason.ok()) return reason.error();
  db::CartQuarantine quarantine(database);
  auto cart = named_cart(quarantine, request);
  if (!cart.ok()) return cart.error();
  if (Status written_off = quarantine.write_off(cart->id, *reason, actor, unix_millis(now)); !written_off)
    return written_off.error();
  spdlog::warn("event=quarantined_cart_written_off id={} session={} operator={} uid={} reason={}", cart->id,
               log_value(cart->cart.session_id.empty() ? std::string("-") : cart->cart.session_id), log_value(actor.name),
               peer.uid(), log_value(*reason));
  if (queue_changed) queue_changed();
  return drivers::control_ok(settled_json(*cart, actor, *reason));
}

}  // namespace passgate::daemon
