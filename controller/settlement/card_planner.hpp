// CardSettlementPlanner: the SettlementPlanner's part for card sessions (the sessions of
// admitted card attempts): decides once how each is settled (card_rules.hpp) from its final
// cart and the hold its tap placed (db/card_attempt_store.hpp), and commits the decision with
// its payment operations (db/card_settlement_store.hpp); follows up an increment once final
// (the capture, or the next row), a capture or increment whose hold was found gone with nothing received
// (its amount charged to the saved card, or unpaid without one: card_after_lost_hold) and a
// declined card charge (partially paid: what it was to collect a dead letter, the card on the
// blocklist); and raises an alert for every hold still open (not planned yet, or its capture,
// void or increment not through) whose capture_before is less than `lapse_warning` away (a hold
// past it is planned as any other: only the network knows it lapsed, and a capture it refuses is
// replaced). It sends nothing: the drainer does. Runs inside the
// SettlementPlanner's run (its batch and time budget). Single-threaded, on the event loop.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <set>
#include <string>

#include "common/clock.hpp"
#include "common/result.hpp"
#include "controller/settlement/card_rules.hpp"
#include "controller/settlement/session_leave_out.hpp"
#include "crypto/payment_sealer.hpp"
#include "db/card_attempt_store.hpp"
#include "db/card_settlement_store.hpp"
#include "db/payment_queue.hpp"
#include "db/settlement_store.hpp"

namespace passgate::controller {

struct CardPlannerSettings {
  std::chrono::seconds lapse_warning{3600};  // alert this long before a hold's capture_before
};

class CardSettlementPlanner {
 public:
  CardSettlementPlanner(db::CardSettlementStore& store, db::CardAttemptStore& attempts, db::SettlementStore& settlements,
                        db::PaymentQueue& queue, const crypto::PaymentSealer& sealer, Clock& clock,
                        CardPlannerSettings settings = {});

  // Plans up to `batch` card sessions and follows up as many of each kind of follow-up,
  // stopping early when `out_of_budget` says so (after at least one); sets `full` if more may
  // wait. A session that fails for its own row (its payment reference does not open, a row
  // refused: not the whole database) is put in `leave_out` (the SettlementPlanner's) and
  // skipped while it is there, so it does not hold back the ones after it. Then looks at the
  // holds' deadlines. How many sessions were planned or followed up.
  int run(int batch, const std::function<bool()>& out_of_budget, SessionLeaveOut& leave_out, bool& full);
  // Holds still open whose capture_before is near or past (by at most a day:
  // db::kHoldWatchAfterLapseS), as of the last run.
  [[nodiscard]] int holds_near_lapse() const { return near_lapse_; }
  [[nodiscard]] std::chrono::seconds lapse_warning() const { return settings_.lapse_warning; }

 private:
  int plan_sessions(int batch, const std::function<bool()>& out_of_budget, SessionLeaveOut& leave_out, bool& full);
  int follow_up(const std::string& op, int batch, const std::function<bool()>& out_of_budget,
                SessionLeaveOut& leave_out, bool& full);
  // Follows up `session_id`'s operation `op` (to_follow_up's names).
  [[nodiscard]] Status follow_up_one(const std::string& op, const std::string& session_id);
  void watch_deadlines();
  // The hold of card session `session_id`, from its admitted attempt (its PaymentIntent opened).
  [[nodiscard]] Result<CardHold> hold_of(const std::string& session_id) const;

  db::CardSettlementStore& store_;
  db::CardAttemptStore& attempts_;
  db::SettlementStore& settlements_;
  db::PaymentQueue& queue_;
  const crypto::PaymentSealer& sealer_;
  Clock& clock_;
  CardPlannerSettings settings_;
  std::set<std::string> alerted_;  // sessions whose hold's deadline was alerted (logged once)
  std::set<std::string> unwatched_;  // ... and those logged as watched no more (a day past it)
  int near_lapse_ = 0;
};

}  // namespace passgate::controller
