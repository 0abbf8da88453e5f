// StoreClaimsPending: the store-wide coordination's durable work list (migration 23,
// docs/store-coordination.md): the claims this gate array owes the store's etcd for admissions
// made without its answer, the releases it owes for keys that may still name sessions that no
// longer need them, and the double uses found while claiming. Rows are written in the same
// transaction as what makes them owed (the admitting commit: owe_claims_within; the denial,
// the cancel, the end of a session: the migration's triggers, active while set_coordinated is
// on) and removed when done, so a crash or a restart loses none. Single-threaded, on the loop.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "db/database.hpp"

namespace passgate::db {

// What of an admission the store did not confirm (its answer did not come in time).
struct StoreUnclaimed {
  bool token = false;
  bool shopper = false;
  [[nodiscard]] bool any() const { return token || shopper; }
};

enum class StoreClaimAction { claim, release };

struct PendingStoreClaim {
  std::int64_t id = 0;
  std::string session_id;
  std::string kind;      // "token" or "shopper"
  std::string claim_id;  // the token id or the shopper id
  StoreClaimAction action = StoreClaimAction::claim;
  std::int64_t until_s = 0;  // tokens: their end as recorded (exp + skew), Unix s; shoppers 0
  int attempts = 0;
};

struct StoreDoubleUse {
  std::string kind;
  std::string claim_id;
  std::string session_id;  // this array's
  std::string other;       // the other holder, as the store described it
};

// What this database knows of a session named by a holder in the store.
enum class SessionFate {
  unknown,  // not recorded here (another box's, or purged)
  live,     // admitted here and not ended (or still opening)
  ended,    // denied, cancelled or ended here
};

// What became of this array's session's cart when a token double use was found.
enum class DoubleUseCart {
  none,         // a shopper's double use: no charge is held
  awaited,      // no cart yet: it is quarantined (double_use) when it comes
  quarantined,  // its cart is quarantined (double_use): an operator decides
  settled,      // charged or planned already: nothing is undone
};

struct StoreClaimsSummary {
  std::int64_t claims = 0;    // admissions not claimed store-wide yet
  std::int64_t releases = 0;  // keys still to release
  std::int64_t double_uses = 0;  // found since the `since_ms` asked for
};

class StoreClaimsPending {
 public:
  explicit StoreClaimsPending(Database& db) : db_(db) {}

  // Whether this gate coordinates with its store ([store] configured): the sessions begun
  // while it is on (not card-tap ones) are marked store_claimed, and only those owe releases
  // when they end, whatever it says then (migration 26). Set at every start.
  [[nodiscard]] Status set_coordinated(bool on, std::int64_t now_ms);
  // This database's instance id (migration 24), written in every holder.
  [[nodiscard]] Result<std::string> instance_id();
  // What this database knows of `session_id`.
  [[nodiscard]] Result<SessionFate> session_fate(const std::string& session_id);
  // Up to `limit` rows, oldest first; rows the store failed kStuckAttempts times or more come
  // after all others (one row etcd keeps refusing never blocks the rest).
  [[nodiscard]] Result<std::vector<PendingStoreClaim>> next(std::size_t limit);
  static constexpr int kStuckAttempts = 5;
  // The row is done: removed if it still owes what `row` says (a claim whose session ended
  // meanwhile has become a release, which stays).
  [[nodiscard]] Status done(const PendingStoreClaim& row);
  // An attempt failed (the store did not answer): counted, with why, for passgatectl.
  [[nodiscard]] Status failed(const PendingStoreClaim& row, const std::string& why);
  // A claim found taken by another array: recorded (and the row done), in one transaction.
  // A token's holds the session's charge (migration 25): the session is marked double_use and
  // its cart, come and not settled, moved to the quarantine (reason double_use). Double uses
  // older than 30 days are forgotten then.
  [[nodiscard]] Result<DoubleUseCart> double_use(const PendingStoreClaim& row, const std::string& other,
                                                 std::int64_t now_ms);
  [[nodiscard]] Result<StoreClaimsSummary> summary(std::int64_t since_ms);
  // Within the caller's transaction (SessionStore's admitting commit): marks the session
  // unverified and owes the claims `unclaimed` names (none for a session not store_claimed,
  // such as a card-tap one). Throws SQLite::Exception (inside guarded() only).
  static void owe_claims_within(Database& db, const std::string& session_id, StoreUnclaimed unclaimed);

 private:
  Database& db_;
};

}  // namespace passgate::db
