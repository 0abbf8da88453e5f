#include "controller/settlement/planner.hpp"

#include <algorithm>
#include <utility>

#include <spdlog/spdlog.h>

#include "common/log_value.hpp"
#include "common/time_format.hpp"
#include "controller/settlement/rules.hpp"
#include "db/sqlite_error.hpp"

namespace passgate::controller {

namespace {

enum class HoldState { none, unresolved, placed };

HoldState hold_of(const std::vector<db::PaymentOpRecord>& ops, std::optional<PlacedHold>& hold) {
  const auto preauth = std::find_if(ops.begin(), ops.end(), [](const auto& op) { return op.op == "preauth"; });
  if (preauth == ops.end()) return HoldState::none;
  if (!db::is_final(preauth->state)) return HoldState::unresolved;
  if (preauth->state == db::PaymentOpState::succeeded) {
    hold = PlacedHold{preauth->amount_minor, preauth->currency, preauth->intent_id};
    return HoldState::placed;
  }
  // A hold that may stand where the gate cannot name it (an unverified answer without a
  // PaymentIntent id, or a refusal after an earlier send whose outcome was unknown): the
  // session waits for an operator to resolve the preauth (retry or write-off). Not one
  // finished unsent (answered only 429s): the gateway cannot have run it (as
  // db/settlement_store.cpp's hold_unresolved says).
  if (preauth->state == db::PaymentOpState::dead && preauth->intent_id.empty() && preauth->maybe_executed &&
      (preauth->unverified || preauth->attempts > 1)) {
    return HoldState::unresolved;
  }
  // An unverified answer that named a PaymentIntent (PaymentQueue::mark_unverified): a hold
  // of unknown amount may stand there, dead letter or written off. Never captured from (its
  // amount is not known: 0), it is voided, and a cart is charged on its own.
  if (!preauth->intent_id.empty()) {
    hold = PlacedHold{0, preauth->currency, preauth->intent_id};
    return HoldState::placed;
  }
  return HoldState::none;
}

}  // namespace

SettlementPlanner::SettlementPlanner(db::SettlementStore& store, db::PaymentQueue& queue, TimerService& timers,
                                     Clock& clock, std::function<void()> planned, PlannerSettings settings)
    : store_(store),
      queue_(queue),
      timers_(timers),
      clock_(clock),
      planned_(std::move(planned)),
      settings_(settings),
      leave_out_(clock, settings.failed_session_wait) {}

void SettlementPlanner::request() {
  if (requested_) return;
  requested_ = true;
  timers_.post([this, alive = std::weak_ptr<bool>(alive_)] {
    if (alive.expired()) return;
    requested_ = false;
    (void)run();
  });
}

void SettlementPlanner::start() {
  (void)run();
  arm_backstop();
}

void SettlementPlanner::arm_backstop() {
  backstop_ = timers_.start(settings_.backstop, [this] {
    (void)run();
    arm_backstop();
  });
}

int SettlementPlanner::run() {
  bool sessions_full = false;
  bool charges_full = false;
  const SteadyTime began = clock_.steady_now();
  database_refused_ = false;
  leave_out_.begin_run();
  bool cards_full = false;
  int planned = plan_sessions(began, sessions_full) + follow_up_charges(began, charges_full);
  if (cards_ != nullptr && !database_refused_) {
    planned += cards_->run(settings_.batch, [this, began] { return out_of_budget(began); }, leave_out_, cards_full);
  }
  planned_total_ += planned;
  if (planned > 0 && planned_) planned_();
  // A full batch that made progress, or left out a session that failed for its own row: more
  // may wait, and the next run gets further. (One that did neither, e.g. a database that
  // keeps failing, waits for the next request or the backstop.)
  if ((sessions_full || charges_full || cards_full) && (planned > 0 || leave_out_.added())) request();
  return planned;
}

bool SettlementPlanner::out_of_budget(SteadyTime began) const {
  return clock_.steady_now() - began >= settings_.run_budget;
}

int SettlementPlanner::plan_sessions(SteadyTime began, bool& full) {
  auto candidates = store_.candidates(settings_.batch + leave_out_.size(), unix_millis(clock_.wall_now()) / 1000);
  if (!candidates) {
    spdlog::error("event=settlement_read_failed detail={}", log_value(candidates.error().message));
    return 0;
  }
  full = leave_out_.keep_batch(*candidates, settings_.batch, [](const db::SettlementCandidate& c) { return c.session_id; });
  int planned = 0;
  int tried = 0;
  for (const db::SettlementCandidate& candidate : *candidates) {
    if (tried++ > 0 && out_of_budget(began)) {
      full = true;  // the rest in the next run, after whatever waits on the loop
      break;
    }
    auto ops = queue_.for_session(candidate.session_id);
    if (!ops) {
      spdlog::error("event=settlement_failed session={} detail={}", log_value(candidate.session_id),
                    log_value(ops.error().message));
      leave_out_.failed(candidate.session_id);
      continue;
    }
    std::optional<PlacedHold> hold;
    if (hold_of(*ops, hold) == HoldState::unresolved) continue;  // planned once the hold is known
    const SettlementPlan plan = plan_settlement(candidate.session_id, candidate.cart, hold);
    auto settled = store_.settle(plan.decision, plan.ops, unix_millis(clock_.wall_now()));
    if (!settled) {
      spdlog::error("event=settlement_failed session={} detail={}", log_value(candidate.session_id),
                    log_value(settled.error().message));
      // Full or locked (each try a busy wait): the others would fail alike; the next run
      // (a request or the backstop) tries again.
      if (db::database_wide(settled.error())) {
        database_refused_ = true;
        break;
      }
      leave_out_.failed(candidate.session_id);
      continue;
    }
    ++planned;
    spdlog::info("event=settlement_planned session={} plan={} total_minor={} currency={} hold_minor={}",
                 log_value(candidate.session_id), log_value(plan.decision.plan), plan.decision.total_minor,
                 log_value(candidate.cart ? candidate.cart->currency : std::string("-")), plan.decision.hold_minor);
  }
  return planned;
}

int SettlementPlanner::follow_up_charges(SteadyTime began, bool& full) {
  if (database_refused_) return 0;  // as the sessions found: the next run tries again
  auto sessions = store_.charges_to_follow_up(settings_.batch + leave_out_.size());
  if (!sessions) {
    spdlog::error("event=settlement_read_failed detail={}", log_value(sessions.error().message));
    return 0;
  }
  full = leave_out_.keep_batch(*sessions, settings_.batch, [](const std::string& id) { return id; });
  int followed = 0;
  int tried = 0;
  for (const std::string& session_id : *sessions) {
    if (tried++ > 0 && out_of_budget(began)) {
      full = true;
      break;
    }
    auto ops = queue_.for_session(session_id);
    auto cart = store_.cart(session_id);
    if (!ops || !cart || !cart->has_value()) {
      spdlog::error("event=settlement_failed session={} detail={}", log_value(session_id),
                    log_value(!ops ? ops.error().message
                                   : !cart ? cart.error().message : std::string("the session's cart is missing")));
      leave_out_.failed(session_id);
      continue;
    }
    std::optional<PlacedHold> hold;
    (void)hold_of(*ops, hold);
    const auto charge = std::find_if(ops->begin(), ops->end(), [&](const db::PaymentOpRecord& op) {
      return op.op == "charge" && op.idempotency_key == session_id + ":charge";
    });
    if (!hold || charge == ops->end()) {
      spdlog::error("event=settlement_failed session={} detail=\"a charge+void plan without its hold or charge\"",
                    log_value(session_id));
      leave_out_.failed(session_id);
      continue;
    }
    const AfterCharge after = plan_after_charge(*charge, **cart, *hold);
    auto queued = store_.follow_up_charge(session_id, charge->id, after.ops, after.remainder, after.remainder_reason,
                                          unix_millis(clock_.wall_now()));
    if (!queued) {
      spdlog::error("event=settlement_failed session={} detail={}", log_value(session_id),
                    log_value(queued.error().message));
      if (db::database_wide(queued.error())) break;  // as in plan_sessions
      leave_out_.failed(session_id);
      continue;
    }
    ++followed;
    if (after.remainder) {
      spdlog::error("event=settlement_partially_paid session={} charge_state={} captured_minor={} unpaid_minor={} "
                    "currency={} next=dead_letter detail={}",
                    log_value(session_id), db::to_string(charge->state), after.ops.front().amount_minor,
                    after.remainder->amount_minor, log_value(cart->value().currency),
                    log_value(after.remainder_reason));
    } else {
      spdlog::info("event=settlement_followed_up session={} charge_state={} next={}", log_value(session_id),
                   db::to_string(charge->state), log_value(after.plan));
    }
  }
  return followed;
}

}  // namespace passgate::controller
