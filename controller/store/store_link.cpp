#include "controller/store/store_link.hpp"

namespace passgate::controller {

coordination::CoordinationSettings coordination_settings(const GateConfig& config) {
  coordination::CoordinationSettings s;
  s.store_id = config.store_id;
  s.gate_id = config.gate_id;
  s.timeout = config.store.coordination_timeout;
  s.lease_skew = config.store.lease_skew;
  s.session_backstop = config.store.session_backstop;
  return s;
}

StoreLink::StoreLink(StoreKv& kv, const GateConfig& config, db::Database& database, AdmissionService& admission,
                     TimerService& timers, Clock& clock)
    : coordinator_(kv, clock, timers, coordination_settings(config)),
      owed_(database),
      admission_(admission),
      reconciler_(coordinator_, owed_, timers, clock),
      occupancy_(coordinator_, database, timers, clock) {}

StoreLink::~StoreLink() { admission_.use_store(nullptr, {}); }

void StoreLink::start() {
  admission_.use_store(&coordinator_, [this] { reconciler_.kick(); });
  reconciler_.start();
  occupancy_.start();
}

}  // namespace passgate::controller
