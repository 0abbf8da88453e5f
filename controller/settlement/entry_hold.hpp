// EntryHold: the optional pre-authorization hold placed at entry, before the barrier opens
// (docs/interfaces/payment-gateway.md#operations, op preauth). The operation is committed to the payment queue with
// its idempotency key first, then sent at once through the drainer with the entry time-out:
//   approved                    -> placed
//   402                         -> declined (deny payment_declined; no operator alert)
//   rejected (bad key, 400...)  -> unavailable (deny lane_unavailable; dead-letter, alert)
//   unknown or retry later      -> the offline risk limits decide: within them the shopper
//                                  is admitted and the hold stays queued (same key); beyond
//                                  them, offline_limit. Either way an operation sent at least
//                                  once stays in the queue, and a hold that does get placed is
//                                  voided later if the session ends without a cart; one never
//                                  sent (retry later during a 429 pause) is finished unsent
//                                  when its entry is denied (db::SessionStore::mark_denied).
// Single-threaded, on the event loop.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "common/clock.hpp"
#include "controller/admission/offline_risk.hpp"
#include "controller/settlement/drainer.hpp"
#include "db/payment_queue.hpp"

namespace passgate::controller {

struct EntryHoldSettings {
  std::int64_t amount_minor = 0;  // 0: no hold
  std::string currency = "USD";
  Millis timeout{1500};
  OfflineRiskLimits limits;
};

enum class HoldVerdict { placed, placed_offline, declined, offline_limit, unavailable };

class EntryHold {
 public:
  using Done = std::function<void(HoldVerdict)>;
  EntryHold(EntryHoldSettings settings, db::PaymentQueue& queue, PaymentDrainer& drainer, Clock& clock);

  [[nodiscard]] bool required() const { return settings_.amount_minor > 0; }
  // A config reload: new settings for every hold placed from now on.
  void reconfigure(EntryHoldSettings settings) { settings_ = std::move(settings); }
  // Places the hold for a session already committed. `done` runs once: later, on the loop,
  // or at once if the operation cannot even be queued.
  void place(const std::string& session_id, Done done);

 private:
  void on_outcome(std::int64_t op_id, const std::string& session_id, const PaymentOutcome& outcome, const Done& done);

  EntryHoldSettings settings_;
  db::PaymentQueue& queue_;
  PaymentDrainer& drainer_;
  Clock& clock_;
};

}  // namespace passgate::controller
