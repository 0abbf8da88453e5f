#include "controller/settlement_planner.hpp"

#include <algorithm>
#include <utility>

#include <spdlog/spdlog.h>

#include "common/log_value.hpp"
#include "common/time_format.hpp"
#include "controller/settlement_rules.hpp"

namespace passgate::controller {

namespace {

constexpr int kBatch = 200;

enum class HoldState { none, unresolved, placed };

HoldState hold_of(const std::vector<db::PaymentOpRecord>& ops, std::optional<PlacedHold>& hold) {
  const auto preauth = std::find_if(ops.begin(), ops.end(), [](const auto& op) { return op.op == "preauth"; });
  if (preauth == ops.end()) return HoldState::none;
  if (!db::is_final(preauth->state)) return HoldState::unresolved;
  if (preauth->state == db::PaymentOpState::succeeded) {
    hold = PlacedHold{preauth->amount_minor, preauth->currency, preauth->intent_id};
    return HoldState::placed;
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

SettlementPlanner::SettlementPlanner(db::SettlementStore& store, db::PaymentQueue& queue, Clock& clock,
                                     std::function<void()> planned)
    : store_(store), queue_(queue), clock_(clock), planned_(std::move(planned)) {}

int SettlementPlanner::run() {
  auto candidates = store_.candidates(kBatch);
  if (!candidates) {
    spdlog::error("event=settlement_read_failed detail={}", log_value(candidates.error().message));
    return 0;
  }
  int planned = 0;
  for (const db::SettlementCandidate& candidate : *candidates) {
    auto ops = queue_.for_session(candidate.session_id);
    if (!ops) {
      spdlog::error("event=settlement_failed session={} detail={}", log_value(candidate.session_id),
                    log_value(ops.error().message));
      continue;
    }
    std::optional<PlacedHold> hold;
    if (hold_of(*ops, hold) == HoldState::unresolved) continue;  // planned once the hold is known
    const SettlementPlan plan = plan_settlement(candidate.session_id, candidate.cart, hold);
    auto settled = store_.settle(plan.decision, plan.ops, unix_millis(clock_.wall_now()));
    if (!settled) {
      spdlog::error("event=settlement_failed session={} detail={}", log_value(candidate.session_id),
                    log_value(settled.error().message));
      continue;
    }
    ++planned;
    spdlog::info("event=settlement_planned session={} plan={} total_minor={} currency={} hold_minor={}",
                 log_value(candidate.session_id), log_value(plan.decision.plan), plan.decision.total_minor,
                 log_value(candidate.cart ? candidate.cart->currency : std::string("-")), plan.decision.hold_minor);
  }
  planned_total_ += planned;
  if (planned > 0 && planned_) planned_();
  return planned;
}

}  // namespace passgate::controller
