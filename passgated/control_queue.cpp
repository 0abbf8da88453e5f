#include "passgated/control_queue.hpp"

#include <spdlog/spdlog.h>

#include "common/log_value.hpp"
#include "common/time_format.hpp"
#include "controller/settlement/currency.hpp"
#include "controller/settlement/dead_letters.hpp"
#include "passgated/control_request.hpp"
#include "db/cart_quarantine.hpp"
#include "db/queue_view.hpp"

namespace passgate::daemon {

using json = nlohmann::json;

namespace {

json op_json(const db::QueueRow& op, std::int64_t now_ms) {
  return {{"id", op.id},
          {"session_id", op.session_id},
          {"op", op.op},
          {"amount_minor", op.amount_minor},
          {"currency", controller::currency_code(op.currency)},
          {"state", db::to_string(op.state)},
          {"dead_letter", db::is_dead_letter(op.state, op.alert)},
          {"alert", op.alert},
          {"created_at", format_rfc3339_ms(WallTime{std::chrono::milliseconds{op.created_at_ms}})},
          {"age_s", age_seconds(op.created_at_ms, now_ms)},
          {"attempts", op.attempts},
          {"last_error", op.last_error}};
}

// What an operator action's reply says about the operation it changed, as it was before.
json action_json(const db::PaymentOpRecord& op, const db::AuditActor& actor) {
  json reply{{"operation",
              {{"id", op.id},
               {"session_id", op.session_id},
               {"op", op.op},
               {"amount_minor", op.amount_minor},
               {"currency", controller::currency_code(op.currency)},
               {"state", db::to_string(op.state)}}}};
  put_actor(reply, actor);
  return reply;
}

json quarantined_json(const db::QuarantineRecord& q, std::int64_t now_ms) {
  return {{"id", q.id},
          {"session_id", q.cart.session_id},
          {"reason", db::to_string(q.cart.reason)},
          {"detail", q.cart.detail},
          {"raw", q.cart.raw},
          {"received_at", format_rfc3339_ms(WallTime{std::chrono::milliseconds{q.received_at_ms}})},
          {"age_s", age_seconds(q.received_at_ms, now_ms)}};
}

Result<controller::DeadLetterAction> action_of(const json& request, const db::AuditActor& actor, WallTime now) {
  auto id = integer_argument(request, "id", kIdRange);
  if (!id.ok()) return id.error();
  return controller::DeadLetterAction{*id, actor, unix_millis(now)};
}

}  // namespace

void put_owed(json& out, const db::QueueTotals& totals) {
  json owed = json::object();
  json capped = json::array();
  for (const auto& [currency, sum] : controller::by_currency_code(totals.outstanding_minor)) {
    owed[currency] = sum.minor;
    if (sum.capped) capped.push_back(currency);
  }
  out["owed_minor"] = std::move(owed);
  if (!capped.empty()) out["owed_capped"] = std::move(capped);
}

Result<json> queue_reply(db::Database& database, const json& request, WallTime now) {
  const bool all = request.value("all", false);
  auto limit = count_argument(request, "limit", kDefaultQueueLimit);
  if (!limit.ok()) return limit.error();
  auto view = db::read_queue_view(database, all, *limit);
  if (!view.ok()) return view.error();
  auto totals = db::PaymentQueue(database).totals();
  if (!totals.ok()) return totals.error();
  auto quarantined = db::CartQuarantine(database).open(*limit);
  if (!quarantined.ok()) return quarantined.error();
  const std::int64_t now_ms = unix_millis(now);
  json ops = json::array();
  for (const auto& op : view->rows) ops.push_back(op_json(op, now_ms));
  json carts = json::array();
  for (const auto& q : *quarantined) carts.push_back(quarantined_json(q, now_ms));
  json counts = json::object();
  for (const auto& [state, n] : view->by_state) counts[std::string(db::to_string(state))] = n;
  counts["dead_letters"] = totals->dead_letters;
  counts["quarantined_carts"] = totals->quarantined_total();
  json reply{{"all", all},
             {"operations", ops},
             {"matching", view->matching},
             {"counts", counts},
             {"outstanding", totals->outstanding_ops},
             {"quarantined_carts", carts}};
  put_owed(reply, *totals);
  return drivers::control_ok(std::move(reply));
}

Result<json> queue_retry(db::Database& database, const json& request, const drivers::ControlPeer& peer, WallTime now,
                         const std::function<void()>& queue_changed) {
  const db::AuditActor actor = audit_actor_of(request, peer);
  const auto action = action_of(request, actor, now);
  if (!action.ok()) return action.error();
  db::PaymentQueue queue(database);
  auto retried = controller::retry_dead_letter(queue, *action);
  if (!retried.ok()) return retried.error();
  const db::PaymentOpRecord& op = retried->was;
  spdlog::warn("event=queue_retry op_id={} op={} was={} operator={} uid={} next={}", op.id, op.op,
               db::to_string(op.state), log_value(actor.name), peer.uid(),
               retried->new_attempt_id ? "new_attempt new_op_id=" + std::to_string(*retried->new_attempt_id)
                                       : std::string("same_key"));
  if (queue_changed) queue_changed();
  json reply = action_json(op, actor);
  // A declined charge: replaced by a new attempt under a new key (its own would bring its
  // decline back), which the operator follows from now on.
  if (retried->new_attempt_id) reply["new_attempt"] = {{"id", *retried->new_attempt_id}};
  return drivers::control_ok(std::move(reply));
}

Result<json> queue_write_off(db::Database& database, const json& request, const drivers::ControlPeer& peer,
                             WallTime now, const std::function<void()>& queue_changed) {
  const db::AuditActor actor = audit_actor_of(request, peer);
  const std::string reason = request.value("reason", std::string());
  const auto action = action_of(request, actor, now);
  if (!action.ok()) return action.error();
  db::PaymentQueue queue(database);
  auto op = controller::write_off_dead_letter(queue, *action, reason);
  if (!op.ok()) return op.error();
  spdlog::warn("event=queue_write_off op_id={} op={} was={} operator={} uid={} reason={}", op->id, op->op,
               db::to_string(op->state), log_value(actor.name), peer.uid(), log_value(reason));
  if (queue_changed) queue_changed();
  auto reply = action_json(*op, actor);
  reply["reason"] = reason;
  return drivers::control_ok(std::move(reply));
}

}  // namespace passgate::daemon
