#include "controller/metrics/session_writes.hpp"

namespace passgate::controller {

SessionWriteMetrics::SessionWriteMetrics(metrics::Registry& registry, const AdmissionService& admission)
    : admission_(admission),
      waiting_(registry.gauge("passgate_session_end_writes_waiting",
                              "Writes that end a session with nobody let in (a denial, the cancel of an unused "
                              "grant, a start-up close) the database refused, waiting to be written: list=retrying "
                              "(written again on a timer) or dropped (beyond the list's cap: no longer written "
                              "again). Restart passgated only at 0: a restart loses them (denial_record_lost).",
                              {"list"})) {
  registry.add_collector([this] {
    const SessionEndWrites writes = admission_.writes_waiting();
    waiting_.set({"retrying"}, static_cast<double>(writes.retrying));
    waiting_.set({"dropped"}, static_cast<double>(writes.dropped));
  });
}

}  // namespace passgate::controller
