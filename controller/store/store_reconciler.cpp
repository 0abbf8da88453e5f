#include "controller/store/store_reconciler.hpp"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "common/log_value.hpp"
#include "common/time_format.hpp"
#include "controller/config/store_config.hpp"
#include "db/session_store.hpp"
#include "db/settlement_store.hpp"

namespace passgate::controller {

// The settlement planner holds an unverified admission's cart at most kClaimWaitMaxS after its
// token: never less than the time this reconciler may still find its double use (the token's
// key lapses lease_skew_s, at most an hour, + the double-use window + a lease bucket after).
static_assert(db::SettlementStore::kClaimWaitMaxS >=
              std::chrono::seconds(coordination::kDoubleUseWindow + std::chrono::hours(1) + coordination::kLeaseBucket)
                  .count());

namespace {

const char* double_use_cart_name(db::DoubleUseCart cart) {
  switch (cart) {
    case db::DoubleUseCart::none: return "none";
    case db::DoubleUseCart::awaited: return "held";
    case db::DoubleUseCart::quarantined: return "quarantined";
    case db::DoubleUseCart::settled: return "already_settled";
  }
  return "none";
}

std::string double_use_detail(db::DoubleUseCart cart) {
  switch (cart) {
    case db::DoubleUseCart::none: break;
    case db::DoubleUseCart::awaited:
      return "the token was admitted here while the store did not answer, and at another gate array too; the "
             "session goes on, and its cart will be quarantined (double_use) when it comes: an operator decides "
             "whom to charge (passgatectl queue)";
    case db::DoubleUseCart::quarantined:
      return "the token was admitted here while the store did not answer, and at another gate array too; its cart "
             "is quarantined (double_use), not charged: an operator decides whom to charge (passgatectl queue)";
    case db::DoubleUseCart::settled:
      return "the token was admitted here while the store did not answer, and at another gate array too; its cart "
             "was charged (or its charge planned) before the double use was found: nothing is undone, tell loss "
             "prevention, who may refund";
  }
  return "the shopper was admitted here while the store did not answer, with a session open at another gate "
         "array; nothing is undone";
}

}  // namespace

StoreReconciler::StoreReconciler(coordination::StoreCoordinator& store, db::StoreClaimsPending& owed,
                                 TimerService& timers, Clock& clock)
    : store_(store), owed_(owed), timers_(timers), clock_(clock) {}

StoreReconciler::~StoreReconciler() = default;

void StoreReconciler::start() { round(); }

void StoreReconciler::kick() {
  if (running_) {
    kicked_ = true;
    return;
  }
  if (waiting_for_store()) return;  // its timer stands
  schedule(Millis{0});
}

void StoreReconciler::schedule(Millis delay) {
  timer_ = timers_.start(delay, [this] {
    timer_.reset();
    round();
  });
}

bool StoreReconciler::lapsed(const db::PendingStoreClaim& row) const {
  if (row.kind != "token") return false;
  const auto& s = store_.settings();
  const WallTime until{std::chrono::seconds(row.until_s)};  // the token's exp + [tokens] clock_skew_s
  if (row.action == db::StoreClaimAction::release) {
    // This array's own key is gone by then (its lease rounds exp + lease_skew + the window up
    // to a bucket).
    return until + s.lease_skew + s.double_use_window + s.lease_bucket <= clock_.wall_now();
  }
  // A claim is dropped (unchecked) as soon as ANY array's key of the token may have lapsed:
  // one that lapsed could no longer refuse this claim, which would then pass for checked. The
  // earliest: exp (until less at most kMaxClockSkewS) + the least lease_skew_s an array may
  // run (kArrayClockDifference: [tokens] clock_skew_s 0 + 60 s; each box has its own config)
  // + the window, by a clock up to kArrayClockDifference ahead of this one.
  const auto least_lease_skew = kArrayClockDifference;
  const auto earliest_lapse = until - std::chrono::seconds(db::kMaxClockSkewS) + least_lease_skew +
                              s.double_use_window - kArrayClockDifference;
  return earliest_lapse <= clock_.wall_now();
}

void StoreReconciler::round() {
  if (running_) return;
  timer_.reset();
  running_ = true;
  kicked_ = false;
  auto rows = owed_.next(kBatch);
  if (!rows.ok()) {
    // Tried again as if the store had not answered.
    spdlog::error("event=store_reconcile_failed detail={}", log_value(rows.error().message));
    database_failed();
    return;
  }
  next(std::make_shared<std::vector<db::PendingStoreClaim>>(std::move(*rows)), 0);
}

void StoreReconciler::next(std::shared_ptr<std::vector<db::PendingStoreClaim>> rows, std::size_t index) {
  // Rows the store need not or cannot be asked about: a lapsed token's, an id no key can hold.
  while (index < rows->size() && (lapsed((*rows)[index]) || !coordination::valid_key_id((*rows)[index].claim_id))) {
    const auto& row = (*rows)[index];
    if (const Status done = owed_.done(row); !done.ok()) {
      spdlog::error("event=store_reconcile_failed session={} detail={}", row.session_id, log_value(done.error().message));
      database_failed();
      return;
    }
    if (!coordination::valid_key_id(row.claim_id)) {
      spdlog::error("event=store_reconcile_dropped session={} kind={} detail=\"its id cannot be a key in etcd\"",
                    row.session_id, row.kind);
      ++index;
      continue;
    }
    count_lapsed(row);
    ++index;
  }
  if (index >= rows->size()) {
    finish(true, rows->size() == kBatch);
    return;
  }
  const auto& row = (*rows)[index];
  auto answered = [this, alive = std::weak_ptr<int>(alive_), rows, index](coordination::Outcome outcome) {
    if (!alive.expired()) on_outcome(rows, index, std::move(outcome));
  };
  const bool token = row.kind == "token";
  if (row.action == db::StoreClaimAction::release) {
    if (token) {
      store_.release_token(row.claim_id, row.session_id, std::move(answered));
    } else {
      store_.close_shopper(row.claim_id, row.session_id, std::move(answered));
    }
  } else if (token) {
    store_.claim_token(row.claim_id, row.session_id,
                       WallTime{std::chrono::seconds(row.until_s)}, std::move(answered));
  } else {
    store_.open_shopper(row.claim_id, row.session_id, std::move(answered));
  }
}

void StoreReconciler::count_lapsed(const db::PendingStoreClaim& row) {
  ++counts_.lapsed;
  if (row.action != db::StoreClaimAction::claim) return;
  ++counts_.unchecked;
  spdlog::warn("event=store_claim_unchecked session={} token_id={} detail=\"the store did not answer within a "
               "day of the token's end: whether another gate array admitted it too can no longer be found\"",
               row.session_id, log_value(row.claim_id));
}

void StoreReconciler::on_outcome(std::shared_ptr<std::vector<db::PendingStoreClaim>> rows, std::size_t index,
                                 coordination::Outcome outcome) {
  const auto& row = (*rows)[index];
  const char* action = row.action == db::StoreClaimAction::claim ? "claim" : "release";
  if (outcome.verdict == coordination::Verdict::unavailable) {
    ++counts_.unanswered;
    (void)owed_.failed(row, outcome.reason);  // only the attempts' count for passgatectl
    spdlog::warn("event=store_reconcile_waiting session={} kind={} action={} attempts={} detail={}", row.session_id,
                 row.kind, action, row.attempts + 1, log_value(outcome.reason));
    finish(false, false);
    return;
  }
  Status written;
  if (outcome.verdict == coordination::Verdict::refused) {
    // Only a claim is refused: the key is another array's, or this gate_id's held by a session
    // this database does not know or another database's (a failed read is unavailable above).
    ++counts_.double_uses;
    const auto cart = owed_.double_use(row, outcome.holder_text, unix_millis(clock_.wall_now()));
    if (cart.ok()) {
      spdlog::error("event=store_double_use kind={} session={}{} other={} cart={} detail={}", row.kind,
                    row.session_id, row.kind == "token" ? " token_id=" + log_value(row.claim_id) : std::string(),
                    log_value(outcome.holder_text), double_use_cart_name(*cart), log_value(double_use_detail(*cart)));
    } else {
      written = cart.error();
    }
  } else if (row.action == db::StoreClaimAction::claim && lapsed(row)) {
    // Confirmed only after the drop time (the claim was in flight across it): another array's
    // key may have lapsed meanwhile, so the confirmation proves nothing.
    written = owed_.done(row);
    if (written.ok()) count_lapsed(row);
  } else {
    ++(row.action == db::StoreClaimAction::claim ? counts_.claimed : counts_.released);
    written = owed_.done(row);
    spdlog::info("event=store_reconciled session={} kind={} action={}", row.session_id, row.kind, action);
  }
  if (!written.ok()) {
    spdlog::error("event=store_reconcile_failed session={} detail={}", row.session_id, log_value(written.error().message));
    database_failed();
    return;
  }
  next(std::move(rows), index + 1);
}

void StoreReconciler::database_failed() {
  finish(false, false);
  database_failing_ = true;
}

void StoreReconciler::finish(bool answered, bool more) {
  running_ = false;
  database_failing_ = false;
  if (!answered) {
    retry_delay_ = std::clamp(retry_delay_ * 2, kRetryFirst, kRetryMax);
    schedule(retry_delay_);
    return;
  }
  retry_delay_ = Millis{0};
  schedule(more || kicked_ ? Millis{0} : kPoll);
}

}  // namespace passgate::controller
