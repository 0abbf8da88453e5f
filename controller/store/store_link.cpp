#include "controller/store/store_link.hpp"

#include <spdlog/spdlog.h>

#include "common/log_value.hpp"

namespace passgate::controller {

coordination::CoordinationSettings coordination_settings(const GateConfig& config, std::string instance_id) {
  coordination::CoordinationSettings s;
  s.store_id = config.store_id;
  s.gate_id = config.gate_id;
  s.instance_id = std::move(instance_id);
  s.timeout = config.store.coordination_timeout;
  s.lease_skew = config.store.lease_skew;
  s.session_backstop = config.store.session_backstop;
  return s;
}

StoreLink::StoreLink(StoreKv& kv, const GateConfig& config, std::string instance_id, db::Database& database,
                     AdmissionService& admission, TimerService& timers, Clock& clock)
    : owed_(database),
      coordinator_(kv, clock, timers, coordination_settings(config, std::move(instance_id)),
                   [this](const std::string& session_id) { return session_fate_here(owed_, session_id); }),
      admission_(admission),
      reconciler_(coordinator_, owed_, timers, clock),
      occupancy_(coordinator_, database, timers, clock) {}

coordination::SessionFate session_fate_here(db::StoreClaimsPending& owed, const std::string& session_id) {
  const auto fate = owed.session_fate(session_id);
  if (!fate.ok()) {
    spdlog::error("event=store_session_unreadable session={} detail={}", log_value(session_id),
                  log_value(fate.error().message));
    return coordination::SessionFate::unreadable;
  }
  switch (*fate) {
    case db::SessionFate::live: return coordination::SessionFate::live;
    case db::SessionFate::ended: return coordination::SessionFate::ended;
    case db::SessionFate::unknown: break;
  }
  return coordination::SessionFate::unknown;
}

StoreLink::~StoreLink() { admission_.use_store(nullptr, {}); }

void StoreLink::start() {
  admission_.use_store(&coordinator_, [this] { reconciler_.kick(); });
  reconciler_.start();
  occupancy_.start();
}

}  // namespace passgate::controller
