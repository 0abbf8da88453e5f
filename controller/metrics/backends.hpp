// BackendMetrics: the systems passgated depends on, read at every scrape: whether the
// tracking engine and the payment gateway answered their last request and since when
// (passgate_backend_up, passgate_backend_up_since_timestamp_seconds; no series before the
// first request), and the reports still waiting for the tracking engine (the outbox).
// The registry must not render after it is gone. Single-threaded, on the event loop.
#pragma once

#include "controller/metrics/registry.hpp"
#include "controller/tracking/watched_tracking.hpp"
#include "controller/tracking/outbox_sender.hpp"
#include "controller/settlement/drainer.hpp"
#include "db/gate_status.hpp"
#include "db/outbox.hpp"

namespace passgate::controller {

class BackendMetrics {
 public:
  BackendMetrics(metrics::Registry& registry, const WatchedTracking& tracking, const PaymentDrainer& drainer,
                 db::GateStatus& status, db::Outbox& outbox, const OutboxSender& sender, Clock& clock);
  BackendMetrics(const BackendMetrics&) = delete;
  BackendMetrics& operator=(const BackendMetrics&) = delete;

 private:
  void collect();

  const WatchedTracking& tracking_;
  const PaymentDrainer& drainer_;
  db::GateStatus& status_;
  db::Outbox& outbox_;
  const OutboxSender& sender_;
  Clock& clock_;
  metrics::Gauge& up_;
  metrics::Gauge& since_;
  metrics::Gauge& outbox_length_;
  metrics::Gauge& outbox_dead_letters_;
  metrics::Gauge& outbox_oldest_age_;
  metrics::Counter& delivered_;
  metrics::Counter& failed_;
};

}  // namespace passgate::controller
