// SessionWriteMetrics: the session-ending writes (denials, cancels of unused grants, start-up
// closes) the database refused and AdmissionService writes again (passgate_session_end_writes_waiting,
// docs/metrics.md), read at every scrape: above 0, a restart now loses them
// (event=denial_record_lost). The registry must not render after it is gone. Single-threaded,
// on the event loop.
#pragma once

#include "controller/admission/service.hpp"
#include "controller/metrics/registry.hpp"

namespace passgate::controller {

class SessionWriteMetrics {
 public:
  SessionWriteMetrics(metrics::Registry& registry, const AdmissionService& admission);
  SessionWriteMetrics(const SessionWriteMetrics&) = delete;
  SessionWriteMetrics& operator=(const SessionWriteMetrics&) = delete;

 private:
  const AdmissionService& admission_;
  metrics::Gauge& waiting_;
};

}  // namespace passgate::controller
