// PendingClaims: the admissions this gate array made without a store-wide claim (the store
// was unavailable and the fallback policy "local" admitted), to be claimed as soon as the
// store answers again. Reconciliation writes each as an ordinary claim; one the store
// refuses was used at another array meanwhile: a DoubleUse for the caller to log, count and
// report (nothing admitted is undone). Kept in memory, in admission order, bounded; the
// durable record of those admissions is the gate's database. Single-threaded, on the loop.
#pragma once

#include <cstddef>
#include <deque>
#include <functional>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "controller/coordination/store_coordinator.hpp"

namespace passgate::coordination {

enum class ClaimKind { token, shopper };

struct UnclaimedAdmission {
  ClaimKind kind = ClaimKind::token;
  std::string id;          // the token id or the shopper id
  std::string session_id;  // this array's session it admitted
  WallTime token_exp{};    // tokens: the token's exp (past exp + skew nothing is left to check)
};

struct DoubleUse {
  ClaimKind kind = ClaimKind::token;
  std::string id;
  std::string session_id;  // ours
  std::string other;       // the other holder, as describe_holder says it
};

struct ReconcileReport {
  std::size_t claimed = 0;  // written, or found ours already
  std::size_t expired = 0;  // tokens past exp + skew: dropped unchecked
  std::vector<DoubleUse> double_uses;
  std::size_t left = 0;     // still pending: the store stopped answering (`stopped`)
  std::string stopped;
};

[[nodiscard]] const char* claim_kind_name(ClaimKind kind);

class PendingClaims {
 public:
  explicit PendingClaims(std::size_t capacity = 10000) : capacity_(capacity) {}

  // False when full: the admission stays unclaimed for good (the caller counts it).
  [[nodiscard]] bool add(UnclaimedAdmission admission);
  // The session ended before it could be claimed: its shopper entry is not written.
  void session_closed(const std::string& session_id);
  [[nodiscard]] std::size_t size() const { return pending_.size(); }
  [[nodiscard]] bool reconciling() const { return reconciling_; }

  // Claims the pending admissions one at a time, in order, through `coordinator`; stops at the
  // first the store does not answer, keeping it and those after it. One run at a time: a
  // second call while one runs is answered at once, with stopped = "already running"; so is
  // a call with nothing pending.
  void reconcile(StoreCoordinator& coordinator, const Clock& clock, std::function<void(ReconcileReport)> done);

 private:
  void next(StoreCoordinator& coordinator, const Clock& clock, std::shared_ptr<ReconcileReport> report,
            std::function<void(ReconcileReport)> done);

  std::size_t capacity_;
  std::deque<UnclaimedAdmission> pending_;
  bool reconciling_ = false;
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

}  // namespace passgate::coordination
