// StoreCoordinator: the store-wide facts a gate array agrees on with the others of its store
// (issue 20), through the StoreKv port (ports/store_kv.hpp; drivers/etcd_client.hpp on the
// store's etcd cluster), for admission (controller/admission/service.hpp) and the
// reconciliation of what it owes (controller/admission/store_reconciler.hpp). Single-threaded,
// on the daemon's loop; every callback runs once, later, never inside the call; none after the
// coordinator is gone.
//
// Each call ends within settings.timeout (store.coordination_timeout) with an Outcome
// (outcome.hpp). A claim spends at most two thirds of it on the lease and the transaction;
// when their outcome is unknown (time-out, 5xx, a garbled answer: the write may have been
// carried out) the rest goes on reading the key back: this array's own holder there means
// the claim is ours, another's means refused, nothing or no answer means unavailable.
// A key this array holds for another of its sessions is taken over (removed if it still names
// that session, then claimed again, once): this array's database is the authority on its own
// sessions, and its caller claims only after its own checks passed, so such a holder is left
// from a session that ended while the store did not answer, or before a restart.
// Leases come from a LeaseBook (one per expiry bucket, reused); the next bucket's lease is
// granted ahead, in the background, when a claim used one.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "common/result.hpp"
#include "controller/coordination/lease_book.hpp"
#include "controller/coordination/occupancy.hpp"
#include "controller/coordination/outcome.hpp"
#include "controller/coordination/store_keys.hpp"
#include "ports/store_kv.hpp"

namespace passgate::coordination {

struct CoordinationSettings {
  std::string store_id;
  std::string gate_id;  // this gate array's, written in every holder
  std::chrono::milliseconds timeout{300};
  // A token's key outlives its exp by this much (clocks of the arrays differ).
  std::chrono::seconds lease_skew{60};
  // A shopper's open-session key ends after this even if never removed (a lost box).
  std::chrono::seconds session_backstop{std::chrono::hours(12)};
  std::chrono::seconds lease_bucket{30};
};

// The shortest lease etcd grants (its gateway raises shorter TTLs to this).
inline constexpr std::chrono::seconds kMinLeaseTtl{2};
// The most gate arrays read_occupancy sums (more: an error, not a wrong sum).
inline constexpr std::size_t kMaxArrays = 256;

class StoreCoordinator {
 public:
  using Done = std::function<void(Outcome)>;

  // `clock` and `loop`: the daemon's AsioTime.
  StoreCoordinator(StoreKv& kv, const Clock& clock, TimerService& loop, CoordinationSettings settings);
  ~StoreCoordinator();
  StoreCoordinator(const StoreCoordinator&) = delete;
  StoreCoordinator& operator=(const StoreCoordinator&) = delete;

  // Claims the entry token `token_id` for `session_id` store-wide, until `token_exp` + skew.
  // refused: the token was admitted already (at any array): deny "replayed".
  void claim_token(const std::string& token_id, const std::string& session_id, WallTime token_exp, Done done);
  // Records that `shopper_id` has the open session `session_id` (anti-passback across arrays).
  // refused: the shopper has an open session at `holder` already.
  void open_shopper(const std::string& shopper_id, const std::string& session_id, Done done);
  // Removes the shopper's open session if it is still `session_id` of this array's. confirmed
  // also when it is not there (nothing of ours remains).
  void close_shopper(const std::string& shopper_id, const std::string& session_id, Done done);
  // Removes the token's claim if it is still `session_id` of this array's (the session was
  // denied and its token may be used again). confirmed also when it is not there.
  void release_token(const std::string& token_id, const std::string& session_id, Done done);
  // Writes this array's passage totals (occupancy.hpp).
  void publish_totals(const PassageTotals& totals, Done done);
  // The store's occupancy from every array's totals. Error codes as StoreKv's, and "too_many".
  void read_occupancy(std::function<void(Result<Occupancy>)> done);
  // How many shoppers have an open session store-wide (counted by the store).
  void count_open_sessions(std::function<void(Result<std::int64_t>)> done);

  [[nodiscard]] const StoreKeys& keys() const { return keys_; }
  [[nodiscard]] const CoordinationSettings& settings() const { return settings_; }
  [[nodiscard]] std::size_t leases_held() const { return book_.size(); }

  struct ClaimCall;  // one claim in flight; in store_coordinator.cpp

 private:
  void claim_key(std::string key, const std::string& session_id, WallTime until, Done done);
  // The bucket's lease (granted if need be), then the claim with it.
  void lease_then_claim(const std::shared_ptr<ClaimCall>& call);
  void with_lease(WallTime bucket, std::chrono::milliseconds timeout, std::function<void(Result<std::int64_t>)> then);
  void grant(WallTime bucket, std::chrono::milliseconds timeout);
  void send_claim(const std::shared_ptr<ClaimCall>& call, std::int64_t lease);
  void resolve(const std::shared_ptr<ClaimCall>& call, const Error& why);
  // The key holds `stale`, this array's claim for another session: removed, then claimed again.
  void take_over(const std::shared_ptr<ClaimCall>& call, const std::string& stale);
  void release_key(const std::string& key, const std::string& session_id, Done done);
  [[nodiscard]] std::chrono::milliseconds left(SteadyTime deadline) const;
  // `done` with `outcome`, later on the loop (never inside the call).
  void later(Done done, Outcome outcome);

  StoreKv& kv_;
  const Clock& clock_;
  TimerService& loop_;
  CoordinationSettings settings_;
  StoreKeys keys_;
  LeaseBook book_;
  // Buckets whose lease is being granted, with the claims waiting for it.
  std::map<WallTime, std::vector<std::function<void(Result<std::int64_t>)>>> granting_;
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

}  // namespace passgate::coordination
