// Settlement: the gate's money path behind one face, from final carts to payment operations
// moved exactly once. It owns and wires its parts, each with its own header and tests:
//   CartsFeed (carts_feed.hpp)  polls the tracking engine's final carts and records them;
//   SettlementPlanner (planner.hpp)  decides once how each session is settled and queues its
//                                    payment operations (after each page of carts, each
//                                    session or operation that became final, an operator's
//                                    action, and on its backstop timer);
//   PaymentDrainer (drainer.hpp)  the one sender of payment operations to the gateway (after
//                                 the planner queued some);
//   EntryHold (entry_hold.hpp)  the pre-authorization placed at entry, sent through the drainer;
//   CardSettlementPlanner (card_planner.hpp)  card sessions' decisions and follow-ups, inside
//                                             the planner's runs (settle_card_sessions()).
// And it guards what the operations already begun depend on: the sealing keys that open the
// payment references still in use (sealing_keys_in_use.hpp) and the gateway account they
// were begun with (gateway_account_guard.hpp), for a reload's new key files. (At start-up,
// passgated runs the same checks before it builds a Settlement.)
// passgated makes one (passgated/daemon.cpp), starts it when the gate is ready, stops it on
// a graceful stop (passgated/graceful_stop.hpp) and reloads it through apply()
// (controller/live_components.hpp). Single-threaded, on the event loop.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "common/clock.hpp"
#include "common/result.hpp"
#include "controller/settlement/card_planner.hpp"
#include "controller/settlement/carts_feed.hpp"
#include "controller/settlement/drainer.hpp"
#include "controller/settlement/entry_hold.hpp"
#include "controller/settlement/planner.hpp"
#include "controller/settlement/settings.hpp"
#include "controller/settlement/wall_clock_watch.hpp"
#include "crypto/payment_sealer.hpp"
#include "db/gate_status.hpp"
#include "db/payment_queue.hpp"
#include "db/session_store.hpp"
#include "db/settlement_store.hpp"
#include "ports/payment_gateway.hpp"
#include "ports/tracking_port.hpp"

namespace passgate::controller {

// The database stores settlement works on; each must outlive the Settlement.
struct SettlementStores {
  db::SessionStore& sessions;        // whose sealed payment references are charged
  db::PaymentQueue& queue;           // the durable payment operations
  db::SettlementStore& settlements;  // final carts, the feed's cursor, settlement decisions
  db::GateStatus& status;            // the gateway's reachability and account, as published
};

class Settlement {
 public:
  // Builds and wires the parts; nothing is sent or polled before start(). `sealer` is the
  // object a reload assigns new keys to (it must outlive the Settlement); `tracking` is the
  // port the carts feed polls.
  Settlement(const SettlementSettings& settings, const SettlementStores& stores, const crypto::PaymentSealer& sealer,
             PaymentGateway& gateway, TrackingPort& tracking, TimerService& timers, Clock& clock);
  Settlement(const Settlement&) = delete;
  Settlement& operator=(const Settlement&) = delete;

  // Card sessions (the sessions of admitted card attempts, db/card_attempt_store.hpp) are
  // settled too, from their card attempts in `db` (the database of `stores`): planned by a
  // CardSettlementPlanner, their charges sent with the attempt's customer and saved card.
  // Call it once, before start(). Without it no card session is settled (none is taken for
  // an app session either: each waits, and its hold's capture_before alert never comes).
  void settle_card_sessions(db::Database& db, CardPlannerSettings settings = {});
  // For metrics and status: card holds not settled whose capture_before is near (0 without
  // card settlement).
  [[nodiscard]] int card_holds_near_lapse() const { return cards_ ? cards_->planner.holds_near_lapse() : 0; }
  // How long before a card hold's capture_before it counts as near lapse (the card planner's).
  [[nodiscard]] std::chrono::seconds card_lapse_warning() const {
    return cards_ ? cards_->planner.lapse_warning() : CardPlannerSettings{}.lapse_warning;
  }

  // The gate is ready: the drainer puts operations left in flight back in the queue (resent
  // with their same idempotency keys) and starts draining, then the planner runs and arms its
  // backstop, then the carts feed polls. An error of the drainer's start is returned before
  // anything else starts (passgated then exits).
  [[nodiscard]] Status start();
  // The gate is stopping (a graceful stop): nothing more is sent, and every operation in
  // flight is recorded as pending again (PaymentDrainer::stop). How many there were.
  [[nodiscard]] Result<int> stop();
  // A config reload: the entry hold's, the drainer's and the carts feed's new settings, each
  // from its next use (operations in flight keep the request they were sent with).
  void apply(const SettlementSettings& settings);

  // A session may have become final (it ended, or was refused): the planner runs soon.
  void session_may_be_final();
  // See PaymentDrainer::hold_back_entries_of.
  void hold_back_entries_of(std::function<bool(const std::string& session_id)> denied) {
    drainer_.hold_back_entries_of(std::move(denied));
  }
  // An operator retried an operation or settled a quarantined cart: the planner runs now and
  // the drainer looks for due operations.
  void queue_changed();
  // The tracking engine refused (403) the queued open request `message_id` of `session_id`
  // (OutboxSender::OpenRefused): the session is marked refused in the same transaction that
  // takes the message out of the outbox, so its hold is voided and no cart of it is charged;
  // logged for loss prevention; the planner runs soon.
  [[nodiscard]] Status close_refused_open(std::int64_t message_id, const std::string& session_id);

  // A reload's new key files, before anything changes: whether `sealer` opens every payment
  // reference still in use (error "seal_key_needed"), ...
  [[nodiscard]] Status check_sealing_keys(const crypto::PaymentSealer& sealer);
  // ... and whether gateway account `account` may be used (error "gateway_account_changed"
  // while operations begun with the recorded one are outstanding).
  [[nodiscard]] Status check_gateway_account(const std::string& account);
  // Records `account` as the one in use; a key of an account that cannot be recorded must not
  // be used.
  [[nodiscard]] Status record_gateway_account(const std::string& account);

  // The pre-authorization at entry, for the admission service.
  [[nodiscard]] EntryHold& entry_hold() { return hold_; }
  // For metrics and status: its counters, requests in flight, the gateway's reachability.
  [[nodiscard]] const PaymentDrainer& drainer() const { return drainer_; }
  // For tests and status: the carts recorded and quarantined.
  [[nodiscard]] const CartsFeed& carts_feed() const { return carts_; }
  // What the drainer knows of wall clock steps, for status and health.
  [[nodiscard]] const WallClockWatch& clock_watch() const { return drainer_.clock_watch(); }

 private:
  SettlementStores stores_;
  Clock& clock_;
  // In the order they are built and wired (and destroyed in reverse): the entry hold sends
  // through the drainer, the feed runs the planner, the planner kicks the drainer.
  PaymentDrainer drainer_;
  SettlementPlanner planner_;
  CartsFeed carts_;
  EntryHold hold_;
  // Card settlement's parts (settle_card_sessions), built once.
  struct Cards {
    Cards(db::Database& db, const SettlementStores& stores, const crypto::PaymentSealer& sealer, Clock& clock,
          CardPlannerSettings settings);
    db::CardAttemptStore attempts;
    db::CardSettlementStore store;
    CardSettlementPlanner planner;
  };
  const crypto::PaymentSealer& sealer_;
  std::unique_ptr<Cards> cards_;
};

}  // namespace passgate::controller
