// SettlementPlanner: decides, once, how each session is settled (controller/
// settlement_rules.hpp) and commits the decision with its payment operations
// (db/settlement_store.hpp). A session is planned when its final cart has arrived, or when it
// ended without one (denied, cancelled, refused by the tracking engine) after a hold was
// requested; while its pre-authorization is still unresolved (pending or in flight) it waits,
// so the rules see the hold that really exists. A "charge+void" plan is followed up once its
// charge is final: the void, or a capture from the hold if the charge failed.
// It runs when asked (request(): every event that can make a session final or an operation
// final asks) and on a periodic backstop; each run plans a bounded batch and, if there may be
// more, asks for another run on the event loop, so a backlog is planned to the end without
// holding the loop. Single-threaded, on the event loop.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "controller/settlement/card_planner.hpp"
#include "controller/settlement/session_leave_out.hpp"
#include "db/payment_queue.hpp"
#include "db/settlement_store.hpp"

namespace passgate::controller {

struct PlannerSettings {
  int batch = 50;               // sessions planned per run before yielding to the event loop
  // A run stops after this long (each session planned is a synced commit; on a slow card
  // fifty would hold the loop, and a fire alarm behind it, for a second or more) and asks
  // for another run, on the loop. At least one session is tried per run, and a run stops at
  // the first write that fails for the whole database (full, or locked: a busy wait each).
  Millis run_budget{10};
  Millis backstop{5000};        // a run at least this often, whatever asked
  // A session whose own row failed (a constraint, a trigger: not the whole database) is left
  // out for this long, so the sessions after it are planned meanwhile (candidates are read
  // oldest first: it would be tried first, and often alone, in every run).
  Millis failed_session_wait{60000};
};

class SettlementPlanner {
 public:
  // `planned` is called after new operations were queued (e.g. the drainer's kick).
  SettlementPlanner(db::SettlementStore& store, db::PaymentQueue& queue, TimerService& timers, Clock& clock,
                    std::function<void()> planned, PlannerSettings settings = {});
  SettlementPlanner(const SettlementPlanner&) = delete;
  SettlementPlanner& operator=(const SettlementPlanner&) = delete;

  // Plans one batch of what can be settled now (and follows up final charges); asks for
  // another run if a batch was full. Returns how many sessions were planned or followed up.
  int run();
  // A run soon, on the event loop (several requests before it make one run).
  void request();
  // Card sessions are planned too, by `cards` (null: not at all; the app path never takes
  // them). It must outlive the planner.
  void set_card_planner(CardSettlementPlanner* cards) { cards_ = cards; }
  // Starts the periodic backstop (and runs once at once).
  void start();
  [[nodiscard]] std::int64_t planned_total() const { return planned_total_; }

 private:
  // Each returns how many sessions it planned and sets `full` if its batch was full or the
  // run's budget (from `began`) ran out before the batch's end.
  int plan_sessions(SteadyTime began, bool& full);
  int follow_up_charges(SteadyTime began, bool& full);
  [[nodiscard]] bool out_of_budget(SteadyTime began) const;
  void arm_backstop();

  db::SettlementStore& store_;
  db::PaymentQueue& queue_;
  CardSettlementPlanner* cards_ = nullptr;
  TimerService& timers_;
  Clock& clock_;
  std::function<void()> planned_;
  PlannerSettings settings_;
  std::int64_t planned_total_ = 0;
  bool requested_ = false;
  std::unique_ptr<Timer> backstop_;
  bool database_refused_ = false;  // this run stopped at a full or locked database
  // Sessions that failed for their own row, app or card, left out for failed_session_wait; a
  // run that adds one asks for another (the sessions after it may not have been tried).
  SessionLeaveOut leave_out_;
  // Set while the object lives; a posted run checks it (the planner may be gone by then).
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace passgate::controller
