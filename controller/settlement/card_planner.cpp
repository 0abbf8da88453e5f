#include "controller/settlement/card_planner.hpp"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "common/log_value.hpp"
#include "common/time_format.hpp"
#include "db/sqlite_error.hpp"

namespace passgate::controller {

namespace {

void log_partially_paid(const db::UnpaidRemainder& unpaid) {
  spdlog::error("event=settlement_partially_paid session={} unpaid_minor={} currency={} next=dead_letter "
                "card=blocklisted detail={}",
                log_value(unpaid.op.session_id), unpaid.op.amount_minor, log_value(unpaid.op.currency),
                log_value(unpaid.reason));
}

}  // namespace

CardSettlementPlanner::CardSettlementPlanner(db::CardSettlementStore& store, db::CardAttemptStore& attempts,
                                             db::SettlementStore& settlements, db::PaymentQueue& queue,
                                             const crypto::PaymentSealer& sealer, Clock& clock,
                                             CardPlannerSettings settings)
    : store_(store),
      attempts_(attempts),
      settlements_(settlements),
      queue_(queue),
      sealer_(sealer),
      clock_(clock),
      settings_(settings) {}

int CardSettlementPlanner::run(int batch, const std::function<bool()>& out_of_budget, SessionLeaveOut& leave_out,
                               bool& full) {
  bool sessions_full = false;
  int done = plan_sessions(batch, out_of_budget, leave_out, sessions_full);
  full = sessions_full;
  // (A capture whose hold was gone, before the charges: its replacement charge is one of them.)
  for (const char* op : {"increment", "capture", "charge", "charge:capture"}) {
    bool op_full = false;
    done += follow_up(op, batch, out_of_budget, leave_out, op_full);
    full = full || op_full;
  }
  watch_deadlines();
  return done;
}

Result<CardHold> CardSettlementPlanner::hold_of(const std::string& session_id) const {
  auto found = attempts_.find(session_id);
  if (!found) return found.error();
  const auto& attempt = *found;
  // Only the session of an admitted attempt is a card session: nothing else is captured from
  // or charged to a card.
  if (!attempt || attempt->state != db::CardAttemptState::admitted) {
    return make_error("not_admitted", "session " + session_id + " has no admitted card attempt");
  }
  auto intent = sealer_.open(crypto::SealedValue{attempt->intent.key_id, attempt->intent.bytes}, session_id);
  if (!intent) return make_error(intent.error().code, "cannot open the hold's PaymentIntent: " + intent.error().message);
  CardHold hold;
  hold.amount_minor = attempt->hold_minor;
  hold.currency = attempt->currency;
  hold.intent_id = std::move(*intent);
  hold.fingerprint_hash = attempt->card.fingerprint_hash;
  hold.card_saved = !attempt->card.generated_card.empty();
  hold.incremental = attempt->card.incremental_authorization_supported;
  const std::int64_t now_s = unix_millis(clock_.wall_now()) / 1000;
  hold.lapsed = attempt->card.capture_before_s && now_s >= *attempt->card.capture_before_s;
  return hold;
}

int CardSettlementPlanner::plan_sessions(int batch, const std::function<bool()>& out_of_budget,
                                         SessionLeaveOut& leave_out, bool& full) {
  auto candidates = store_.candidates(batch + leave_out.size());
  if (!candidates) {
    spdlog::error("event=settlement_read_failed detail={}", log_value(candidates.error().message));
    return 0;
  }
  full = leave_out.keep_batch(*candidates, batch, [](const db::SettlementCandidate& c) { return c.session_id; });
  int planned = 0;
  int tried = 0;
  for (const db::SettlementCandidate& candidate : *candidates) {
    if (tried++ > 0 && out_of_budget()) {
      full = true;
      break;
    }
    auto hold = hold_of(candidate.session_id);
    if (!hold) {
      spdlog::error("event=settlement_failed session={} detail={}", log_value(candidate.session_id),
                    log_value(hold.error().message));
      if (db::database_wide(hold.error())) break;
      leave_out.failed(candidate.session_id);
      continue;
    }
    CardPlan plan = plan_card_settlement(candidate.session_id, candidate.cart, *hold);
    auto settled = store_.settle(plan.decision, plan.ops, plan.unpaid, unix_millis(clock_.wall_now()));
    if (!settled) {
      spdlog::error("event=settlement_failed session={} detail={}", log_value(candidate.session_id),
                    log_value(settled.error().message));
      if (db::database_wide(settled.error())) break;
      leave_out.failed(candidate.session_id);
      continue;
    }
    ++planned;
    spdlog::info("event=settlement_planned session={} plan={} total_minor={} currency={} hold_minor={} lapsed={}",
                 log_value(candidate.session_id), log_value(plan.decision.plan), plan.decision.total_minor,
                 log_value(candidate.cart ? candidate.cart->currency : hold->currency), plan.decision.hold_minor,
                 hold->lapsed);
    if (plan.unpaid) log_partially_paid(*plan.unpaid);
  }
  return planned;
}

int CardSettlementPlanner::follow_up(const std::string& op, int batch, const std::function<bool()>& out_of_budget,
                                     SessionLeaveOut& leave_out, bool& full) {
  auto sessions = store_.to_follow_up(op, batch + leave_out.size());
  if (!sessions) {
    spdlog::error("event=settlement_read_failed detail={}", log_value(sessions.error().message));
    return 0;
  }
  full = leave_out.keep_batch(*sessions, batch, [](const std::string& id) { return id; });
  int followed = 0;
  for (const std::string& session_id : *sessions) {
    if (out_of_budget()) {
      full = true;
      break;
    }
    if (Status done = follow_up_one(op, session_id); !done) {
      spdlog::error("event=settlement_failed session={} detail={}", log_value(session_id),
                    log_value(done.error().message));
      if (db::database_wide(done.error())) break;
      leave_out.failed(session_id);
      continue;
    }
    ++followed;
  }
  return followed;
}

Status CardSettlementPlanner::follow_up_one(const std::string& op, const std::string& session_id) {
  auto ops = queue_.for_session(session_id);
  if (!ops) return ops.error();
  const auto found = std::find_if(ops->begin(), ops->end(), [&](const db::PaymentOpRecord& o) {
    return o.idempotency_key == session_id + ":" + op;
  });
  if (found == ops->end()) return make_error("not_found", "the card session has no " + op);
  auto hold = hold_of(session_id);
  if (!hold) return hold.error();
  const std::int64_t now = unix_millis(clock_.wall_now());
  if (op == "charge" || op == "charge:capture") {
    const db::UnpaidRemainder unpaid = card_charge_unpaid(*found, *hold);
    if (Status left = store_.replace_failed(found->id, std::nullopt, unpaid, now); !left) return left;
    log_partially_paid(unpaid);
    return {};
  }
  // (An increment whose hold was found gone is settled as a capture whose hold was.)
  if (op == "capture" || found->hold_canceled) {
    CardPlan after = card_after_lost_hold(*found, *hold);
    std::optional<db::NewPaymentOp> charge;
    if (!after.ops.empty()) charge = std::move(after.ops.front());
    if (Status left = store_.replace_failed(found->id, charge, after.unpaid, now); !left) return left;
    spdlog::warn("event=settlement_followed_up session={} {}_state={} amount_minor={} currency={} next={} "
                 "detail=\"the hold lapsed or was cancelled before the {} went through\"",
                 log_value(session_id), found->op, db::to_string(found->state), found->amount_minor,
                 log_value(found->currency), charge ? "charge_saved_card" : "unpaid", found->op);
    if (after.unpaid) log_partially_paid(*after.unpaid);
    return {};
  }
  auto cart = settlements_.cart(session_id);
  if (!cart) return cart.error();
  if (!cart->has_value()) return make_error("not_found", "the card session's cart is missing");
  const CardPlan after = card_after_increment(*found, **cart, *hold);
  auto queued = store_.increment_followed(found->id, after.ops, after.unpaid, now);
  if (!queued) return queued.error();
  spdlog::info("event=settlement_followed_up session={} increment_state={} next={}", log_value(session_id),
               db::to_string(found->state), log_value(after.decision.plan));
  if (after.unpaid) log_partially_paid(*after.unpaid);
  return {};
}

void CardSettlementPlanner::watch_deadlines() {
  auto holds = store_.open_holds();
  if (!holds) {
    spdlog::error("event=settlement_read_failed detail={}", log_value(holds.error().message));
    return;
  }
  const std::int64_t now_s = unix_millis(clock_.wall_now()) / 1000;
  int near = 0;
  std::set<std::string> still_alerted;  // (a hold no longer open is forgotten)
  for (const db::OpenCardHold& hold : *holds) {
    const std::int64_t left_s = hold.capture_before_s - now_s;
    if (left_s > settings_.lapse_warning.count()) break;  // soonest first: the rest are further
    still_alerted.insert(hold.session_id);
    if (-left_s > db::kHoldWatchAfterLapseS) {
      // Nothing the gate sends can use the hold any more: not counted (the gauge would stay
      // above 0 for good, e.g. for a session whose cart never comes), said once.
      if (unwatched_.insert(hold.session_id).second) {
        spdlog::warn("event=card_hold_unwatched session={} capture_before_in_s={} "
                     "detail=\"more than a day past its capture_before: no longer counted as near lapse; a cart that "
                     "still comes is captured from the hold, and that capture, like one still waiting, is replaced "
                     "by a charge of its amount once refused; passgatectl queue shows what waits\"",
                     log_value(hold.session_id), left_s);
      }
      continue;
    }
    ++near;
    if (alerted_.count(hold.session_id) > 0) continue;
    if (hold.planned) {
      spdlog::error("event=card_hold_near_lapse session={} capture_before_in_s={} next=wait_for_gateway "
                    "detail=\"its increment, capture or void has not gone through; if the hold lapses first, what "
                    "it was to collect is charged to the saved card instead, or left unpaid without one\"",
                    log_value(hold.session_id), left_s);
      continue;
    }
    spdlog::error("event=card_hold_near_lapse session={} capture_before_in_s={} next={} "
                  "detail=\"no final cart yet; the cart will be captured from the hold all the same, and if the hold "
                  "lapsed that capture is replaced by a charge to the saved card, or left unpaid without one\"",
                  log_value(hold.session_id), left_s, left_s > 0 ? "wait_for_cart" : "capture_when_final");
  }
  std::erase_if(unwatched_, [&](const std::string& id) { return still_alerted.count(id) == 0; });
  alerted_ = std::move(still_alerted);
  near_lapse_ = near;
}

}  // namespace passgate::controller
