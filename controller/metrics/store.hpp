// StoreMetrics: the store-wide coordination's metrics ([store], docs/metrics.md), read at every
// scrape: what the claims at entry decided, what reconciliation did (double uses found among
// it), what the gate still owes its store's etcd, whether etcd answers, and the store's
// occupancy as last read; and, observed as they end, how long its claims took
// (passgate_store_claim_seconds). Only a gate with [store] has them. The registry must not render
// after it is gone. Single-threaded, on the event loop.
#pragma once

#include "controller/admission/service.hpp"
#include "controller/metrics/registry.hpp"
#include "controller/store/store_link.hpp"

namespace passgate::controller {

class StoreMetrics {
 public:
  StoreMetrics(metrics::Registry& registry, StoreLink& store, const AdmissionService& admission, Clock& clock);
  ~StoreMetrics();
  StoreMetrics(const StoreMetrics&) = delete;
  StoreMetrics& operator=(const StoreMetrics&) = delete;

 private:
  void collect();

  StoreLink& store_;
  const AdmissionService& admission_;
  Clock& clock_;
  metrics::Counter& admissions_;
  metrics::Counter& reconciled_;
  metrics::Counter& double_uses_;
  metrics::Counter& gate_id_shared_;
  metrics::Gauge& owed_;
  metrics::Gauge& reachable_;
  metrics::Gauge& occupancy_;
  metrics::Gauge& occupancy_age_;
  metrics::Histogram& claim_seconds_;
};

}  // namespace passgate::controller
