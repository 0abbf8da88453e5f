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
// that session, then claimed again, once) only when this database can vouch for it: the
// holder carries this database's instance id (or none: written before instance ids) and
// `session_fate` says the session it names ended here (denied, cancelled, ended), so it was
// left from a session that ended while the store did not answer, or before a restart. A
// shopper's key held by a session still live here (soft anti-passback) is this array's
// already: confirmed, nothing written. Any other holder with this gate_id is another box's
// (a duplicated gate_id, a restored or copied database): refused like another array's,
// logged event=store_gate_id_shared at error and counted (gate_id_shared()).
// An entry with anti-passback claims its token and opens its shopper's session together
// (claim_entry): one transaction writes both keys when neither is held; when either is, the
// transaction writes nothing and reads both, and each key goes on as when claimed alone (the
// free one claimed by itself, a held one refused, confirmed or taken over as above), so each
// outcome is what claim_token and open_shopper would have given; except that when the token is
// held by another array (the entry is a replay) the free shopper's key is not claimed
// (unavailable, meaningless beside the refused token). A claim with less than a few ms left
// is not sent (unavailable).
// Releasing a session's key also writes that key's fence for the session
// (released/<session_id>/<kind>, store_keys.hpp) in the same transaction, and every claim of
// the key for the session requires the fence absent: a claim that reaches etcd after the
// key's release (held in the network, sent before a restart) writes nothing and answers
// Outcome::fenced(). Per key, not per session: a shopper's key released when the session
// ended must not fence the owed claim of its token (the double-use check).
// Leases come from a LeaseBook (one per expiry bucket, reused); the next bucket's lease is
// granted ahead, in the background, when a claim used one. Every claim's time from the call to
// its answer goes to the observer set with on_claim_timed (the claim-latency metric).
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
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

// How long after its token's end (exp + lease_skew) a token's key is kept: the time in which a
// claim owed from an outage can still find another array's claim of the same token (a double
// use). Keeping the key longer blocks nothing: the token itself is refused once it expired.
inline constexpr std::chrono::seconds kDoubleUseWindow{std::chrono::hours(24)};

// The default lease bucket: 15 minutes (a token's key lasts up to that much longer, which blocks
// nothing), about a hundred leases held for a day's tokens rather than 2,900 at 30 s.
inline constexpr std::chrono::seconds kLeaseBucket{std::chrono::minutes(15)};

struct CoordinationSettings {
  std::string store_id;
  std::string gate_id;  // this gate array's, written in every holder
  // This database's instance id (db/store_claims_pending.hpp), written in every holder.
  std::string instance_id;
  std::chrono::milliseconds timeout{300};
  // A token's key outlives its exp by this much (store.lease_skew_s: the tokens' clock skew
  // and the arrays' clock differences).
  std::chrono::seconds lease_skew{120};
  // A token's key is kept this long after its end (exp + lease_skew), for double uses.
  std::chrono::seconds double_use_window{kDoubleUseWindow};
  // A shopper's open-session key ends after this even if never removed (a lost box).
  std::chrono::seconds session_backstop{std::chrono::hours(12)};
  // The width of a lease's bucket: a key lives at most this much beyond its end, and an array
  // holds about (double_use_window + session_backstop) / this many leases (150 at 15 min).
  std::chrono::seconds lease_bucket{kLeaseBucket};
};

// The shortest lease etcd grants (its gateway raises shorter TTLs to this).
inline constexpr std::chrono::seconds kMinLeaseTtl{2};
// The most gate arrays read_occupancy sums (more: an error, not a wrong sum).
inline constexpr std::size_t kMaxArrays = 256;

// What this gate array's database knows of a session a holder names.
enum class SessionFate {
  unknown,     // not recorded here
  live,        // admitted here, not ended
  ended,       // denied, cancelled or ended here
  unreadable,  // the database could not say now (a claim is then unanswered, retried later)
};

class StoreCoordinator {
 public:
  using Done = std::function<void(Outcome)>;
  using EntryDone = std::function<void(Outcome token, Outcome shopper)>;
  // `kind`: "entry" (claim_entry), "token" or "shopper" (claimed alone); `took`: from the call
  // to its answer.
  using ClaimTimed = std::function<void(const char* kind, std::chrono::nanoseconds took)>;
  using SessionFateOf = std::function<SessionFate(const std::string& session_id)>;

  // `clock` and `loop`: the daemon's AsioTime. `session_fate`: asked before taking over a
  // holder with this gate_id (none: every such session is unknown, nothing is taken over).
  StoreCoordinator(StoreKv& kv, const Clock& clock, TimerService& loop, CoordinationSettings settings,
                   SessionFateOf session_fate = {});
  ~StoreCoordinator();
  StoreCoordinator(const StoreCoordinator&) = delete;
  StoreCoordinator& operator=(const StoreCoordinator&) = delete;

  // Claims the entry token `token_id` for `session_id` store-wide, until `token_exp` + skew +
  // the double-use window.
  // refused: the token was admitted already (at any array): deny "replayed".
  void claim_token(const std::string& token_id, const std::string& session_id, WallTime token_exp, Done done);
  // Records that `shopper_id` has the open session `session_id` (anti-passback across arrays).
  // refused: the shopper has an open session at `holder` already.
  void open_shopper(const std::string& shopper_id, const std::string& session_id, Done done);
  // claim_token and open_shopper for one entry, in one transaction when neither key is held
  // (see the top of this file): `done` once, with both outcomes, within settings.timeout.
  void claim_entry(const std::string& token_id, WallTime token_exp, const std::string& shopper_id,
                   const std::string& session_id, EntryDone done);
  // Removes the shopper's open session if it is still `session_id` of this array's, and fences
  // it (no later claim of it for the session writes). confirmed also when it is not there.
  void close_shopper(const std::string& shopper_id, const std::string& session_id, Done done);
  // Removes the token's claim if it is still `session_id` of this array's (the session was
  // denied and its token may be used again), and fences it for the session. confirmed also
  // when it is not there.
  void release_token(const std::string& token_id, const std::string& session_id, Done done);
  // Writes this array's passage totals (occupancy.hpp).
  void publish_totals(const PassageTotals& totals, Done done);
  // The store's occupancy from every array's totals. Error codes as StoreKv's, and "too_many".
  void read_occupancy(std::function<void(Result<Occupancy>)> done);
  // How many shoppers have an open session store-wide (counted by the store).
  void count_open_sessions(std::function<void(Result<std::int64_t>)> done);

  // The claims' latency goes to `observer` (none: nowhere), which must stay callable while set.
  void on_claim_timed(ClaimTimed observer) { claim_timed_ = std::move(observer); }

  [[nodiscard]] const StoreKeys& keys() const { return keys_; }
  [[nodiscard]] const CoordinationSettings& settings() const { return settings_; }
  [[nodiscard]] std::size_t leases_held() const { return book_.size(); }
  // Keys found held under this gate_id by another box (event=store_gate_id_shared) since start.
  [[nodiscard]] std::uint64_t gate_id_shared() const { return gate_id_shared_; }

  struct ClaimCall;  // one claim in flight; in store_coordinator.cpp

 private:
  using Pair = std::array<std::shared_ptr<ClaimCall>, 2>;  // an entry's token and shopper claims
  // `done` reporting its time to the observer as `kind`.
  // `done` (a Done or an EntryDone), first telling the observer how long the claim took.
  template <class Callback>
  [[nodiscard]] Callback timed(const char* kind, Callback done) {
    return [this, kind, started = clock_.steady_now(), done = std::move(done)](auto... outcomes) {
      if (claim_timed_) claim_timed_(kind, clock_.steady_now() - started);
      done(std::move(outcomes)...);
    };
  }
  // A claim of the token's (shopper's) key, not started; none when the id cannot be a key
  // (`done` is then called later, unavailable).
  [[nodiscard]] std::shared_ptr<ClaimCall> token_call(const std::string& token_id, const std::string& session_id,
                                                      WallTime token_exp, Done done);
  [[nodiscard]] std::shared_ptr<ClaimCall> shopper_call(const std::string& shopper_id, const std::string& session_id,
                                                        Done done);
  [[nodiscard]] std::shared_ptr<ClaimCall> new_call(std::string key, const std::string& session_id, WallTime until,
                                                    bool shopper, Done done);
  // Both buckets' leases, then both claims in one transaction.
  void leases_then_claim_both(const Pair& calls);
  void send_claim_both(const Pair& calls, std::int64_t token_lease, std::int64_t shopper_lease);
  // The bucket's lease (granted if need be), then the claim with it.
  void lease_then_claim(const std::shared_ptr<ClaimCall>& call);
  void with_lease(WallTime bucket, std::chrono::milliseconds timeout, std::function<void(Result<std::int64_t>)> then);
  void grant(WallTime bucket, std::chrono::milliseconds timeout);
  void send_claim(const std::shared_ptr<ClaimCall>& call, std::int64_t lease);
  // Whether the call has time left to send its claim (else it ends unavailable, nothing sent).
  [[nodiscard]] bool time_to_claim(const std::shared_ptr<ClaimCall>& call);
  // Whether a key found holding `found` is held by another gate array (or by what is no holder).
  [[nodiscard]] bool held_elsewhere(const std::optional<std::string>& found) const;
  // Grants the lease of the bucket after `bucket` ahead, if it is not there.
  void grant_next(WallTime bucket);
  // The key was found holding `found`: ours (an earlier send), this array's other holder, or
  // another's.
  void settle(const std::shared_ptr<ClaimCall>& call, const std::string& found);
  void resolve(const std::shared_ptr<ClaimCall>& call, const Error& why);
  // The key holds `value`, a holder with this gate_id for another session: taken over,
  // confirmed or refused (see the top of this file).
  void own_gate_holder(const std::shared_ptr<ClaimCall>& call, const Holder& holder, const std::string& value);
  // The key holds `stale`, this array's claim for an ended session: removed, then claimed again.
  void take_over(const std::shared_ptr<ClaimCall>& call, const std::string& stale);
  [[nodiscard]] SessionFate fate_here(const std::string& session_id) const;
  // Logs and counts a holder with this gate_id that this database cannot vouch for.
  void report_shared(const std::string& key_kind, const Holder& holder, SessionFate fate);
  // Removes the key if it holds this array's `session_id` (with this database's instance id,
  // or none: a holder written before instance ids), and writes the key's fence for the session
  // (`kind`: "token" or "shopper") either way.
  void release_key(const std::string& key, const std::string& session_id, const char* kind, Done done);
  [[nodiscard]] std::chrono::milliseconds left(SteadyTime deadline) const;
  // `done` with `outcome`, later on the loop (never inside the call).
  void later(Done done, Outcome outcome);

  StoreKv& kv_;
  const Clock& clock_;
  TimerService& loop_;
  CoordinationSettings settings_;
  SessionFateOf session_fate_;
  StoreKeys keys_;
  std::uint64_t gate_id_shared_ = 0;
  ClaimTimed claim_timed_;
  LeaseBook book_;
  // Buckets whose lease is being granted, with the claims waiting for it.
  std::map<WallTime, std::vector<std::function<void(Result<std::int64_t>)>>> granting_;
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

}  // namespace passgate::coordination
