// StoreReconciler: does what this gate array owes its store's etcd (db/store_claims_pending.hpp,
// docs/store-coordination.md). It claims the admissions made without the store's answer: a
// claim the store confirms (or finds this array's already) is done; one another array holds is
// a double use: logged (event=store_double_use), recorded for passgatectl status and counted;
// nothing admitted is undone. It releases the keys that may still name sessions that no longer
// need them (a denied session's token, an ended session's shopper), each removed only while it
// names that session. A token whose key has lapsed (its end + store.lease_skew + the
// double-use window + a lease bucket: every array's key of it is gone, so a double use can no
// longer be found) needs neither and is dropped unasked: a claim so dropped is counted
// (unchecked) and logged as a warning; so is an id no key can hold (logged).
// One row at a time, oldest first: at start() (every start of passgated: the list is in the
// database), at kick() (after a commit that owed something), and every kPoll (the releases the
// database's triggers owe as sessions end). While the store does not answer, again after
// kRetryFirst, doubling up to kRetryMax. Single-threaded, on the loop.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "common/clock.hpp"
#include "controller/coordination/store_coordinator.hpp"
#include "db/store_claims_pending.hpp"

namespace passgate::controller {

struct StoreReconcileCounts {
  std::uint64_t claimed = 0;      // unverified admissions claimed after all
  std::uint64_t released = 0;     // keys released (or found released already)
  std::uint64_t lapsed = 0;       // tokens whose key had lapsed: dropped unasked
  std::uint64_t unchecked = 0;    // of those, claims: admissions never checked for a double use
  std::uint64_t double_uses = 0;  // found used at another array meanwhile
  std::uint64_t unanswered = 0;   // attempts the store did not answer
};

class StoreReconciler {
 public:
  static constexpr Millis kRetryFirst{1000};
  static constexpr Millis kRetryMax{10000};
  static constexpr Millis kPoll{10000};
  static constexpr std::size_t kBatch = 64;

  StoreReconciler(coordination::StoreCoordinator& store, db::StoreClaimsPending& owed, TimerService& timers,
                  Clock& clock);
  ~StoreReconciler();
  StoreReconciler(const StoreReconciler&) = delete;
  StoreReconciler& operator=(const StoreReconciler&) = delete;

  // Starts working through the list now.
  void start();
  // Something may be owed now: a round soon, unless the store is being waited for.
  void kick();
  [[nodiscard]] const StoreReconcileCounts& counts() const { return counts_; }
  // Whether the round under way or the last one is waiting for the store to answer again.
  [[nodiscard]] bool waiting_for_store() const { return retry_delay_ > Millis{0} && !database_failing_; }
  // Whether the last round stopped at a database error (tried again like an unanswered one).
  [[nodiscard]] bool database_failing() const { return database_failing_; }

 private:
  void round();
  void next(std::shared_ptr<std::vector<db::PendingStoreClaim>> rows, std::size_t index);
  void on_outcome(std::shared_ptr<std::vector<db::PendingStoreClaim>> rows, std::size_t index,
                  coordination::Outcome outcome);
  // The round ended: all done (`answered`) or stopped at a row the store did not answer.
  void finish(bool answered, bool more);
  // The round stopped at a database error: tried again as if the store had not answered.
  void database_failed();
  void schedule(Millis delay);
  [[nodiscard]] bool lapsed(const db::PendingStoreClaim& row) const;
  // Counts (and, for a claim, logs as unchecked) a row dropped because its token's key may
  // have lapsed.
  void count_lapsed(const db::PendingStoreClaim& row);

  coordination::StoreCoordinator& store_;
  db::StoreClaimsPending& owed_;
  TimerService& timers_;
  Clock& clock_;
  StoreReconcileCounts counts_;
  bool running_ = false;
  bool kicked_ = false;     // kicked while a round ran: another follows at once
  Millis retry_delay_{0};   // 0 unless the store did not answer last (or the database failed)
  bool database_failing_ = false;
  std::unique_ptr<Timer> timer_;
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

}  // namespace passgate::controller
