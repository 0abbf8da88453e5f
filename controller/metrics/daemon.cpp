#include "controller/metrics/daemon.hpp"

namespace passgate::controller {

DaemonMetrics::DaemonMetrics(const MetricsSources& s)
    : process_(registry_, s.clock),
      gate_(registry_, s.gate),
      backends_(registry_, s.tracking, s.drainer, s.status, s.outbox, s.sender, s.clock),
      payments_(registry_, s.queue, s.drainer, s.clock, s.card_lapse_warning),
      retention_(registry_, s.retention, s.database),
      session_writes_(registry_, s.admission),
      health_(s.status, s.outbox, s.sessions, s.drainer.clock_watch(), s.tracking_settings, s.clock) {
  if (s.store) store_.emplace(registry_, *s.store, s.admission, s.clock);
}

}  // namespace passgate::controller
