// PaymentMetrics: the durable payment queue, read from the database at every scrape (the
// grouped query behind `passgatectl queue`): operations not yet final, what they amount to
// by currency (never wrapping: common/minor_sum.hpp), the age of the oldest, the dead-letter
// list, the quarantined carts by reason, the card sessions partially paid and the card holds
// near their capture_before (within the card planner's lapse_warning, and not more than a day
// past it); and the drainer's counts of attempts and results. A failed read leaves the queue's series out of that scrape (it is
// counted in passgate_database_errors_total). The registry must not render after it is gone.
// Single-threaded, on the event loop.
#pragma once

#include <chrono>
#include <functional>

#include "common/clock.hpp"
#include "controller/metrics/registry.hpp"
#include "controller/settlement/card_planner.hpp"
#include "controller/settlement/drainer.hpp"
#include "db/payment_queue.hpp"

namespace passgate::controller {

class PaymentMetrics {
 public:
  // `card_lapse_warning`: how long before a card hold's capture_before the card planner warns
  // (CardSettlementPlanner::lapse_warning), read at every scrape.
  PaymentMetrics(metrics::Registry& registry, db::PaymentQueue& queue, const PaymentDrainer& drainer, Clock& clock,
                 std::function<std::chrono::seconds()> card_lapse_warning = default_card_lapse_warning);
  [[nodiscard]] static std::chrono::seconds default_card_lapse_warning() { return CardPlannerSettings{}.lapse_warning; }
  PaymentMetrics(const PaymentMetrics&) = delete;
  PaymentMetrics& operator=(const PaymentMetrics&) = delete;

 private:
  void collect();

  db::PaymentQueue& queue_;
  const PaymentDrainer& drainer_;
  Clock& clock_;
  std::function<std::chrono::seconds()> card_lapse_warning_;
  metrics::Gauge& length_;
  metrics::Gauge& owed_;
  metrics::Gauge& oldest_age_;
  metrics::Gauge& dead_letters_;
  metrics::Gauge& quarantined_;
  metrics::Gauge& refused_sessions_;
  metrics::Gauge& cards_partially_paid_;
  metrics::Gauge& card_holds_near_lapse_;
  metrics::Gauge& in_flight_;
  metrics::Counter& attempts_;
  metrics::Counter& results_;
};

}  // namespace passgate::controller
