// StoreLink: everything a gate array with a [store] section runs against its store's etcd
// (docs/store-coordination.md), built by passgated over its etcd client: the coordinator,
// admission's claims through it (AdmissionService::use_store), the reconciler of what the
// database says is owed, and the occupancy. Without [store] passgated makes none and nothing
// talks to etcd. passgated records at every start, before closing the sessions a crash left
// opening, whether the gate coordinates (StoreClaimsPending::set_coordinated), so the
// database's triggers owe only then. Single-threaded, on the loop; outlives admission's requests.
#pragma once

#include <memory>

#include "controller/admission/service.hpp"
#include "controller/config/config.hpp"
#include "controller/coordination/store_coordinator.hpp"
#include "controller/store/store_occupancy.hpp"
#include "controller/store/store_reconciler.hpp"
#include "db/store_claims_pending.hpp"

namespace passgate::controller {

// `instance_id`: the database's (StoreClaimsPending::instance_id), written in every holder.
[[nodiscard]] coordination::CoordinationSettings coordination_settings(const GateConfig& config,
                                                                      std::string instance_id);

// What `owed`'s database knows of `session_id`, for the coordinator's take-over (a database
// error: unknown, logged).
[[nodiscard]] coordination::SessionFate session_fate_here(db::StoreClaimsPending& owed, const std::string& session_id);

class StoreLink {
 public:
  StoreLink(StoreKv& kv, const GateConfig& config, std::string instance_id, db::Database& database,
            AdmissionService& admission, TimerService& timers, Clock& clock);
  ~StoreLink();
  StoreLink(const StoreLink&) = delete;
  StoreLink& operator=(const StoreLink&) = delete;

  // Hands admission the coordinator, and starts the reconciler (what earlier runs owed too)
  // and the occupancy.
  void start();

  [[nodiscard]] const StoreReconciler& reconciler() const { return reconciler_; }
  [[nodiscard]] const coordination::StoreCoordinator& coordinator() const { return coordinator_; }
  [[nodiscard]] coordination::StoreCoordinator& coordinator() { return coordinator_; }
  [[nodiscard]] const StoreOccupancyView& occupancy() const { return occupancy_.view(); }
  // The store answered the last time it was asked (occupancy round, reconciliation), or has
  // not been asked yet.
  [[nodiscard]] bool answering() const {
    return occupancy_.view().last_error.empty() && !reconciler_.waiting_for_store();
  }
  [[nodiscard]] Result<db::StoreClaimsSummary> owed(std::int64_t since_ms) { return owed_.summary(since_ms); }

 private:
  db::StoreClaimsPending owed_;
  coordination::StoreCoordinator coordinator_;
  AdmissionService& admission_;
  StoreReconciler reconciler_;
  StoreOccupancy occupancy_;
};

}  // namespace passgate::controller
