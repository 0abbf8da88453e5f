// DaemonMetrics: everything passgated exports over its metrics listener (docs/metrics.md):
// one registry with the gate's, the backends', the payment queue's, retention's, the
// session-ending writes', the store coordination's and the process's metrics, and the health check. passgated makes one, after the parts it reads, and
// serves page() and problem() (drivers/metrics_server.hpp). Single-threaded, on the loop.
#pragma once

#include <optional>
#include <string>

#include "controller/lanes/gate.hpp"
#include "controller/metrics/backends.hpp"
#include "controller/metrics/gate.hpp"
#include "controller/metrics/health.hpp"
#include "controller/metrics/payments.hpp"
#include "controller/metrics/process.hpp"
#include "controller/metrics/retention.hpp"
#include "controller/metrics/session_writes.hpp"
#include "controller/metrics/store.hpp"
#include "controller/metrics/registry.hpp"

namespace passgate::controller {

// What the metrics are read from; each must outlive the DaemonMetrics.
struct MetricsSources {
  Gate& gate;
  db::PaymentQueue& queue;
  const PaymentDrainer& drainer;
  db::GateStatus& status;
  db::Outbox& outbox;
  db::SessionStore& sessions;
  const OutboxSender& sender;
  const WatchedTracking& tracking;
  const TrackingConfig& tracking_settings;  // in force (live on reload)
  Clock& clock;
  const RetentionSweeper& retention;
  db::Database& database;
  const AdmissionService& admission;
  // The card planner's lapse_warning (Settlement::card_lapse_warning), for the card holds near lapse.
  std::function<std::chrono::seconds()> card_lapse_warning = PaymentMetrics::default_card_lapse_warning;
  // The store-wide coordination ([store]); null without it (no store metrics then).
  StoreLink* store = nullptr;
};

class DaemonMetrics {
 public:
  explicit DaemonMetrics(const MetricsSources& sources);
  DaemonMetrics(const DaemonMetrics&) = delete;
  DaemonMetrics& operator=(const DaemonMetrics&) = delete;

  // The /metrics page (text exposition format 0.0.4).
  [[nodiscard]] std::string page() { return registry_.render(); }
  // The /healthz verdict: empty when healthy, else why not (HealthCheck).
  [[nodiscard]] std::optional<std::string> problem() { return health_.problem(); }

 private:
  metrics::Registry registry_;  // first: the parts below register with it
  ProcessMetrics process_;
  GateMetrics gate_;
  BackendMetrics backends_;
  PaymentMetrics payments_;
  RetentionMetrics retention_;
  SessionWriteMetrics session_writes_;
  std::optional<StoreMetrics> store_;
  HealthCheck health_;
};

}  // namespace passgate::controller
