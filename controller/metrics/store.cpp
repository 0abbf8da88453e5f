#include "controller/metrics/store.hpp"

#include <chrono>

#include "common/time_format.hpp"
#include "controller/metrics/gate.hpp"

namespace passgate::controller {

StoreMetrics::StoreMetrics(metrics::Registry& registry, StoreLink& store, const AdmissionService& admission,
                           Clock& clock)
    : store_(store),
      admission_(admission),
      clock_(clock),
      admissions_(registry.counter("passgate_store_admissions_total",
                                   "App entries by what their store-wide claims decided: outcome=claimed (the store "
                                   "confirmed), replayed (the token was admitted in the store already), "
                                   "inside_elsewhere (the shopper's session is open at another gate array), "
                                   "fallback_local (no answer: admitted unverified), fallback_deny (no answer: "
                                   "denied lane_unavailable).",
                                   {"outcome"})),
      reconciled_(registry.counter("passgate_store_reconciled_total",
                                   "What the gate owed its store, done: result=claimed (an unverified admission "
                                   "claimed after all), released (a key that named a session no longer needing it), "
                                   "lapsed (a token's key gone by itself), unchecked (of those, an unverified "
                                   "admission's claim: it could no longer be checked for a double use), unanswered "
                                   "(an attempt etcd did not answer: retried).",
                                   {"result"})),
      double_uses_(registry.counter("passgate_store_double_uses_total",
                                    "Admissions made here while etcd did not answer whose token, or whose shopper's "
                                    "open session, another gate array had too (event=store_double_use). Nothing "
                                    "admitted is undone; a token's cart is quarantined (double_use) unless it was "
                                    "charged already; tell loss prevention.")),
      gate_id_shared_(registry.counter("passgate_store_gate_id_shared_total",
                                       "Keys found in the store's etcd held under this gate_id by a session this "
                                       "database cannot vouch for (event=store_gate_id_shared): another box uses "
                                       "the same gate_id, or the database was restored or copied. Refused, never "
                                       "taken over; give every gate array its own gate_id.")),
      owed_(registry.gauge("passgate_store_owed",
                           "What the gate still owes its store's etcd: action=claim (admissions made without the "
                           "store-wide claim) or release (keys that may name sessions that no longer need them).",
                           {"action"})),
      reachable_(registry.gauge("passgate_store_reachable",
                                "1 if the store's etcd answered the gate's last calls (occupancy, reconciliation), "
                                "else 0: entries follow store.fallback.")),
      occupancy_(registry.gauge("passgate_store_occupancy",
                                "The store's occupancy as last read from etcd: what=inside (entered - exited, never "
                                "below 0), entered, exited (every gate array's passages), arrays (gate arrays that "
                                "wrote their totals).",
                                {"what"})),
      occupancy_age_(registry.gauge("passgate_store_occupancy_age_seconds",
                                    "Seconds since the store's occupancy was last read (absent before the first "
                                    "read).")),
      claim_seconds_(registry.histogram(
          "passgate_store_claim_seconds",
          "Seconds from a store-wide claim's start to its outcome (confirmed, refused or unavailable), by kind: "
          "entry (an entry's token and shopper claimed together, anti-passback on), token (a token alone: entries "
          "with anti-passback off, and reconciliation), shopper (a shopper's open session alone: reconciliation).",
          {"kind"}, std::vector<double>(GateMetrics::kLatencyBuckets.begin(), GateMetrics::kLatencyBuckets.end()))) {
  for (const char* o : {"claimed", "replayed", "inside_elsewhere", "fallback_local", "fallback_deny"}) {
    admissions_.init({o});
  }
  for (const char* r : {"claimed", "released", "lapsed", "unchecked", "unanswered"}) reconciled_.init({r});
  double_uses_.init({});
  gate_id_shared_.init({});
  for (const char* k : {"entry", "token", "shopper"}) claim_seconds_.init({k});
  store_.coordinator().on_claim_timed([this](const char* kind, std::chrono::nanoseconds took) {
    claim_seconds_.observe({kind}, std::chrono::duration<double>(took).count());
  });
  registry.add_collector([this] { collect(); });
}

StoreMetrics::~StoreMetrics() { store_.coordinator().on_claim_timed({}); }

void StoreMetrics::collect() {
  const StoreAdmissionCounts& a = admission_.store_counts();
  admissions_.set({"claimed"}, static_cast<double>(a.claimed));
  admissions_.set({"replayed"}, static_cast<double>(a.replayed));
  admissions_.set({"inside_elsewhere"}, static_cast<double>(a.inside_elsewhere));
  admissions_.set({"fallback_local"}, static_cast<double>(a.fallback_local));
  admissions_.set({"fallback_deny"}, static_cast<double>(a.fallback_deny));
  const StoreReconcileCounts& r = store_.reconciler().counts();
  reconciled_.set({"claimed"}, static_cast<double>(r.claimed));
  reconciled_.set({"released"}, static_cast<double>(r.released));
  reconciled_.set({"lapsed"}, static_cast<double>(r.lapsed));
  reconciled_.set({"unchecked"}, static_cast<double>(r.unchecked));
  reconciled_.set({"unanswered"}, static_cast<double>(r.unanswered));
  double_uses_.set({}, static_cast<double>(r.double_uses));
  gate_id_shared_.set({}, static_cast<double>(store_.coordinator().gate_id_shared()));
  if (const auto owed = store_.owed(0); owed.ok()) {
    owed_.set({"claim"}, static_cast<double>(owed->claims));
    owed_.set({"release"}, static_cast<double>(owed->releases));
  }
  reachable_.set({}, store_.answering() ? 1 : 0);
  const StoreOccupancyView& view = store_.occupancy();
  if (view.occupancy) {
    occupancy_.set({"inside"}, static_cast<double>(view.occupancy->inside()));
    occupancy_.set({"entered"}, static_cast<double>(view.occupancy->entered));
    occupancy_.set({"exited"}, static_cast<double>(view.occupancy->exited));
    occupancy_.set({"arrays"}, static_cast<double>(view.occupancy->arrays));
  }
  if (view.read_at) {
    occupancy_age_.set({}, std::chrono::duration<double>(clock_.steady_now() - *view.read_at).count());
  }
}

}  // namespace passgate::controller
