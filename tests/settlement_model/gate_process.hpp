// GateProcess: one run of passgated reduced to its money path, in virtual time, on a real
// SQLite file: the payment queue and settlement store, and settlement as passgated builds it
// (controller/settlement/settlement.hpp: the payment drainer on LedgerGateway, the settlement
// planner, the entry hold and the final-carts feed on EngineFeed): the planner runs at
// start-up, on every event (a step of the day, an operation reaching a final state, a page of
// carts) and on a timer. Destroying it is a
// kill -9: nothing is stopped, answers under way and posted calls are lost with its event loop
// (its own VirtualTime); a new GateProcess on the same file is the restart. Card sessions are
// settled too (Settlement::settle_card_sessions); admit_card() admits a card shopper's tap as
// the card-entry runner does, on the card attempts of the same database.
// With [store] (a StoreWorld given), what passgated's StoreLink runs on the money path: the
// store's etcd (a FakeStoreKv over the world, on this run's loop), the coordinator and the
// reconciler of what the database owes it; whether the gate coordinates is recorded at start,
// and an unverified admission owes its claims in the admitting commit, as admission does.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>

#include "common/virtual_time.hpp"
#include "controller/coordination/store_coordinator.hpp"
#include "controller/store/store_reconciler.hpp"
#include "controller/settlement/settlement.hpp"
#include "crypto/payment_sealer.hpp"
#include "db/card_attempt_store.hpp"
#include "db/card_blocklist.hpp"
#include "db/database.hpp"
#include "db/gate_status.hpp"
#include "db/payment_queue.hpp"
#include "db/session_store.hpp"
#include "db/settlement_store.hpp"
#include "db/store_claims_pending.hpp"
#include "tests/settlement_model/card_holds.hpp"
#include "tests/settlement_model/engine_feed.hpp"
#include "tests/settlement_model/ledger_gateway.hpp"
#include "tests/settlement_model/shop_model.hpp"
#include "tests/settlement_model/store_world.hpp"

namespace passgate::model {

class GateProcess {
 public:
  // Opens `db_file` (created on first use) with its wall clock at `wall`; with [store] when
  // `store_world` is given (its etcd as this run starts; save_store() gives it back).
  GateProcess(const std::filesystem::path& db_file, WallTime wall, GatewaySide& gateway_side, const ShopModel& shop,
              const crypto::PaymentSealer& sealer, const StoreWorld* store_world = nullptr);
  GateProcess(const GateProcess&) = delete;
  GateProcess& operator=(const GateProcess&) = delete;

  // passgated's start-up: sessions a crash left opening are abandoned (cancelled), operations
  // left in flight are resumed, the planner runs, the feed is polled.
  void start();
  // Something happened: the planner runs, the drainer looks for due operations.
  void on_event();
  // The entry lane, reduced to its money: the session begins with the shopper's sealed
  // payment reference; with a hold the entry hold is placed and the session opened or denied
  // on its verdict, as the admission service does; `decided` gets the session's fate then.
  // A session.unverified one (with [store]) is opened owing its token's and shopper's claims
  // (its token ending at session.token_end_s), and the reconciler is kicked.
  void admit(const ModelSession& session, std::function<void(Fate)> decided);
  // The card-entry runner with `hold` placed for the card shopper `session`: the attempt armed,
  // tapped, held and admitted (Fate::open), or, when the card (by its hash under any sealing
  // key) has an open session or is on the blocklist, or the read of the hold was not believed
  // (PlacedHold::not_believed), denied and abandoned (Fate::denied): the caller voids the hold,
  // then finish_abandon() records it voided.
  [[nodiscard]] Fate admit_card(const ModelSession& session, const PlacedHold& hold);
  void finish_abandon(const std::string& session_id);
  // A config reload (SIGHUP) with settings `pick` and the sealing keys of `staged`: refused
  // (false, nothing changes) when `staged` cannot open a payment reference still in use, as
  // passgated's reload is; else the gateway account checked and the settings applied (the
  // caller then assigns `staged` to the sealer the gate uses).
  [[nodiscard]] bool reload(int pick, const crypto::PaymentSealer& staged);
  // At the lane, after admission: open -> cancelled.
  void cancel(const std::string& session_id);

  [[nodiscard]] std::int64_t now_ms() const;
  // With [store]: etcd as it is now, into `world`.
  void save_store(StoreWorld& world) const;

  VirtualTime vt;
  std::unique_ptr<db::Database> database;
  db::SessionStore sessions;
  db::PaymentQueue queue;
  db::SettlementStore store;
  db::GateStatus status;
  db::CardAttemptStore attempts;
  db::CardBlocklist blocklist;
  LedgerGateway gateway;
  EngineFeed engine;
  controller::Settlement settlement;
  db::StoreClaimsPending owed;
  // With [store] only:
  std::unique_ptr<test::FakeStoreKv> store_kv;
  std::unique_ptr<coordination::StoreCoordinator> coordinator;
  std::unique_ptr<controller::StoreReconciler> reconciler;

 private:
  void on_hold_verdict(const ModelSession& session, controller::HoldVerdict verdict,
                       const std::function<void(Fate)>& decided);

  [[nodiscard]] db::SealedRef seal(const std::string& reference, const std::string& session_id) const;

  const crypto::PaymentSealer& sealer_;
};

}  // namespace passgate::model
