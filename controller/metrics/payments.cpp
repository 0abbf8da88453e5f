#include "controller/metrics/payments.hpp"

#include <algorithm>

#include "common/time_format.hpp"
#include "db/cart_quarantine.hpp"

namespace passgate::controller {

PaymentMetrics::PaymentMetrics(metrics::Registry& registry, db::PaymentQueue& queue, const PaymentDrainer& drainer,
                               Clock& clock, std::function<std::chrono::seconds()> card_lapse_warning)
    : queue_(queue),
      drainer_(drainer),
      clock_(clock),
      card_lapse_warning_(std::move(card_lapse_warning)),
      length_(registry.gauge("passgate_payment_queue_length",
                             "Payment operations not yet final (pending or in flight).")),
      owed_(registry.gauge("passgate_payment_queue_amount_minor",
                           "What the payment operations not yet final amount to, in minor units (cents), by "
                           "currency.",
                           {"currency"})),
      oldest_age_(registry.gauge("passgate_payment_queue_oldest_age_seconds",
                                 "Age of the oldest payment operation not yet final; 0 when there is none.")),
      dead_letters_(registry.gauge("passgate_payment_dead_letters",
                                   "Declined or dead payment operations waiting for an operator (passgatectl queue).")),
      quarantined_(registry.gauge("passgate_quarantined_carts",
                                  "Final carts quarantined, not charged, waiting for an operator (passgatectl queue), "
                                  "by reason: unreadable, currency (not payments.currency), over_limit (above "
                                  "payments.max_cart_minor), not_admitted (a session the gate denied or cancelled, or the "
                                  "tracking engine refused), double_use (a session whose token another gate array of "
                                  "the store admitted too).",
                                  {"reason"})),
      refused_sessions_(registry.gauge("passgate_sessions_refused_by_tracking",
                                       "Sessions admitted offline that the tracking engine refused afterwards, ever "
                                       "(their holds are released; alert on an increase: a shopper was inside, "
                                       "unfollowed).")),
      cards_partially_paid_(registry.gauge("passgate_card_sessions_partially_paid",
                                           "Cards on the blocklist for an unpaid remainder: card sessions partially "
                                           "paid whose remainder an operator has not settled yet (passgatectl queue).")),
      card_holds_near_lapse_(registry.gauge("passgate_card_holds_near_lapse",
                                            "Card holds still open (no final cart yet, or its capture or void not "
                                            "through) whose capture_before is within the card planner's warning "
                                            "(an hour) or past by at most a day.")),
      in_flight_(registry.gauge("passgate_payment_in_flight", "Payment gateway requests under way.")),
      attempts_(registry.counter("passgate_payment_attempts_total",
                                 "Requests sent to the payment gateway: every send, a resend on a fresh connection "
                                 "after a stale pooled one failed too.")),
      results_(registry.counter("passgate_payment_results_total",
                                "Payment operation results recorded: succeeded, declined, dead (rejected), "
                                "unverified (the answer was not the outcome: dead letter for a person), retried "
                                "(outcome unknown or retry later), adopted (found by search after a restart).",
                                {"result"})) {
  registry.add_collector([this] { collect(); });
}

void PaymentMetrics::collect() {
  length_.clear();
  owed_.clear();
  oldest_age_.clear();
  dead_letters_.clear();
  quarantined_.clear();
  if (const auto totals = queue_.totals(); totals.ok()) {
    length_.set({}, static_cast<double>(totals->outstanding_ops));
    for (const auto& [currency, sum] : totals->outstanding_minor) owed_.set({currency}, static_cast<double>(sum.minor));
    const std::int64_t now_ms = unix_millis(clock_.wall_now());
    const std::int64_t oldest_ms = totals->oldest_created_at_ms.value_or(now_ms);
    oldest_age_.set({}, static_cast<double>(std::max<std::int64_t>(0, now_ms - oldest_ms)) / 1000);
    dead_letters_.set({}, static_cast<double>(totals->dead_letters));
    refused_sessions_.set({}, static_cast<double>(totals->refused_sessions));
    cards_partially_paid_.set({}, static_cast<double>(totals->cards_partially_paid));
    card_holds_near_lapse_.set({}, static_cast<double>(totals->card_holds_near_lapse(now_ms / 1000, card_lapse_warning_().count())));
    for (const auto reason : {db::QuarantineReason::unreadable, db::QuarantineReason::currency,
                              db::QuarantineReason::over_limit, db::QuarantineReason::not_admitted,
                              db::QuarantineReason::double_use}) {
      const auto n = totals->quarantined_carts.find(std::string(db::to_string(reason)));
      quarantined_.set({std::string(db::to_string(reason))},
                       static_cast<double>(n == totals->quarantined_carts.end() ? 0 : n->second));
    }
  }
  const DrainerCounters& counts = drainer_.counters();
  in_flight_.set({}, static_cast<double>(drainer_.in_flight()));
  attempts_.set({}, static_cast<double>(counts.attempts));
  results_.set({"succeeded"}, static_cast<double>(counts.succeeded));
  results_.set({"declined"}, static_cast<double>(counts.declined));
  results_.set({"dead"}, static_cast<double>(counts.dead));
  results_.set({"unverified"}, static_cast<double>(counts.unverified));
  results_.set({"retried"}, static_cast<double>(counts.retried));
  results_.set({"adopted"}, static_cast<double>(counts.adopted));
}

}  // namespace passgate::controller
