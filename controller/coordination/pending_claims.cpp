#include "controller/coordination/pending_claims.hpp"

#include <algorithm>
#include <memory>
#include <utility>

namespace passgate::coordination {

const char* claim_kind_name(ClaimKind kind) { return kind == ClaimKind::token ? "token" : "shopper"; }

bool PendingClaims::add(UnclaimedAdmission admission) {
  if (pending_.size() >= capacity_) return false;
  pending_.push_back(std::move(admission));
  return true;
}

void PendingClaims::session_closed(const std::string& session_id) {
  std::erase_if(pending_, [&session_id](const UnclaimedAdmission& a) {
    return a.kind == ClaimKind::shopper && a.session_id == session_id;
  });
}

void PendingClaims::reconcile(StoreCoordinator& coordinator, const Clock& clock,
                              std::function<void(ReconcileReport)> done) {
  if (reconciling_) {
    ReconcileReport busy;
    busy.left = pending_.size();
    busy.stopped = "already running";
    done(std::move(busy));
    return;
  }
  reconciling_ = true;
  next(coordinator, clock, std::make_shared<ReconcileReport>(), std::move(done));
}

void PendingClaims::next(StoreCoordinator& coordinator, const Clock& clock, std::shared_ptr<ReconcileReport> report,
                         std::function<void(ReconcileReport)> done) {
  const auto skew = coordinator.settings().lease_skew;
  while (!pending_.empty() && pending_.front().kind == ClaimKind::token &&
         pending_.front().token_exp + skew <= clock.wall_now()) {
    pending_.pop_front();
    ++report->expired;
  }
  if (pending_.empty()) {
    reconciling_ = false;
    done(std::move(*report));
    return;
  }
  const auto admission = pending_.front();
  auto on_outcome = [this, alive = std::weak_ptr<int>(alive_), &coordinator, &clock, report, admission,
                     done = std::move(done)](Outcome outcome) mutable {
    if (alive.expired()) return;
    if (outcome.verdict == Verdict::unavailable) {
      reconciling_ = false;
      report->left = pending_.size();
      report->stopped = std::move(outcome.reason);
      done(std::move(*report));
      return;
    }
    // The front may have been closed meanwhile (session_closed): drop it only if still there.
    if (!pending_.empty() && pending_.front().id == admission.id && pending_.front().kind == admission.kind &&
        pending_.front().session_id == admission.session_id) {
      pending_.pop_front();
    }
    if (outcome.verdict == Verdict::refused) {
      report->double_uses.push_back({admission.kind, admission.id, admission.session_id, outcome.holder_text});
    } else {
      ++report->claimed;
    }
    next(coordinator, clock, std::move(report), std::move(done));
  };
  if (admission.kind == ClaimKind::token) {
    coordinator.claim_token(admission.id, admission.session_id, admission.token_exp, std::move(on_outcome));
  } else {
    coordinator.open_shopper(admission.id, admission.session_id, std::move(on_outcome));
  }
}

}  // namespace passgate::coordination
