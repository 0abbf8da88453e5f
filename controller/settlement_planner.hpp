// SettlementPlanner: decides, once, how each session is settled (controller/
// settlement_rules.hpp) and commits the decision with its payment operations
// (db/settlement_store.hpp). A session is planned when its final cart has arrived, or when it
// ended without one after a hold was requested; while its pre-authorization is still
// unresolved (pending or in flight) it waits, so the rules see the hold that really exists.
// Single-threaded, on the event loop.
#pragma once

#include <cstdint>
#include <functional>

#include "common/clock.hpp"
#include "db/payment_queue.hpp"
#include "db/settlement_store.hpp"

namespace passgate::controller {

class SettlementPlanner {
 public:
  // `planned` is called after new operations were queued (e.g. the drainer's kick).
  SettlementPlanner(db::SettlementStore& store, db::PaymentQueue& queue, Clock& clock, std::function<void()> planned);

  // Plans every session that can be settled now; returns how many were planned.
  int run();
  [[nodiscard]] std::int64_t planned_total() const { return planned_total_; }

 private:
  db::SettlementStore& store_;
  db::PaymentQueue& queue_;
  Clock& clock_;
  std::function<void()> planned_;
  std::int64_t planned_total_ = 0;
};

}  // namespace passgate::controller
