// SettlementStore: final carts from the tracking engine's feed, the feed's cursor, and the
// one settlement decided for each session. A batch of carts and the cursor that follows it
// are committed in one transaction, so a cart is never skipped and never recorded twice; a
// settlement row and its payment operations are committed together, and a session has at
// most one settlement (its primary key), so nothing is charged twice by re-planning.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "db/cart_quarantine.hpp"
#include "db/database.hpp"
#include "db/payment_queue.hpp"

namespace passgate::db {

struct FinalCart {
  std::string session_id;
  std::string currency;
  std::int64_t total_minor = 0;
  std::string finalized_at;
};

struct CartBatchOutcome {
  int recorded = 0;                         // new carts
  int repeated = 0;                         // carts already recorded or quarantined (ignored)
  std::vector<std::string> unknown_sessions;  // carts of sessions this gate never opened (skipped)
  std::vector<QuarantinedCart> quarantined;  // newly quarantined
};

// A session whose settlement can be decided, its pre-authorization (if any) resolved: it has
// a final cart, or it ended without one (cancelled or denied by the gate, or refused by the
// tracking engine after an offline admission) while a hold was requested for it, or its
// quarantined cart was written off by an operator.
struct SettlementCandidate {
  std::string session_id;
  std::optional<FinalCart> cart;  // empty: ended without a cart
};

struct SettlementDecision {
  std::string session_id;
  bool from_cart = true;         // basis: 'cart' or 'no_cart'
  std::int64_t total_minor = 0;
  std::int64_t hold_minor = 0;   // the hold placed at entry (0: none)
  std::string plan;              // e.g. "capture", "charge+void", "void", "none"
};

struct SettlementRecord {
  SettlementDecision decision;
  std::int64_t planned_at_ms = 0;
};

class SettlementStore {
 public:
  explicit SettlementStore(Database& db) : db_(db) {}

  [[nodiscard]] Result<std::optional<std::string>> cursor(const std::string& feed);
  // Records the carts and quarantines the `quarantined` carts of known sessions (and those
  // naming no readable session), then stores `next_cursor` for `feed`, atomically. A cart of
  // a session that already has a cart or a quarantined one is ignored (a repeat: a session is
  // settled once, never on a cart delivered after its quarantine); a cart of an unknown
  // session is skipped and named in the outcome. A cart of a session the gate denied or
  // cancelled, or the tracking engine refused, is quarantined (not_admitted), never charged.
  [[nodiscard]] Result<CartBatchOutcome> record_carts(const std::string& feed, const std::vector<FinalCart>& carts,
                                                      const std::vector<QuarantinedCart>& quarantined,
                                                      const std::string& next_cursor, std::int64_t now_ms);
  [[nodiscard]] Result<std::optional<FinalCart>> cart(const std::string& session_id);

  // An unverified admission's cart waits for its token's store claim (a double use found then
  // holds it) at most this long after the token's exp: the reconciler's double-use window (a
  // day) + the largest lease_skew_s (an hour) + a lease bucket (15 minutes; checked against the
  // coordinator's in controller/store/store_reconciler.cpp). Past it the cart is settled even
  // if the claim is still owed (the store section removed, etcd down for more than a day, the
  // claim stuck behind other owed rows): a charge is never held for good by the store.
  static constexpr std::int64_t kClaimWaitMaxS = 86400 + 3600 + 900;
  // Sessions that need a settlement decision, oldest first, at most `limit`. Not card sessions
  // (an admitted card attempt's: db/card_settlement_store.hpp settles those). `now_s` (Unix
  // seconds) bounds the wait for a store claim (kClaimWaitMaxS); without it a session owing one
  // waits however long it is owed.
  [[nodiscard]] Result<std::vector<SettlementCandidate>> candidates(int limit, std::optional<std::int64_t> now_s = {});
  // Records the decision and its operations in one transaction; each operation waits for
  // the one before it in `ops` to be final. Returns the operations' ids. Error
  // "already_settled" (nothing written) if the session has a settlement.
  [[nodiscard]] Result<std::vector<std::int64_t>> settle(const SettlementDecision& decision,
                                                         std::vector<NewPaymentOp> ops, std::int64_t now_ms);
  [[nodiscard]] Result<std::optional<SettlementRecord>> settlement(const std::string& session_id);
  // candidates() within guarded(): app sessions, or (`card_sessions`) only card sessions. Throws
  // SQLite::Exception.
  [[nodiscard]] static std::vector<SettlementCandidate> find_candidates(Database& db, bool card_sessions, int limit,
                                                                       std::optional<std::int64_t> now_s);
  // For the card settlement store, within its transaction: settle() without the transaction.
  // Its operations' ids, or nothing if the session has a settlement (nothing written). Throws
  // SQLite::Exception, so call it only inside guarded().
  [[nodiscard]] static std::optional<std::vector<std::int64_t>> insert_settlement(Database& db,
                                                                                 const SettlementDecision& decision,
                                                                                 std::vector<NewPaymentOp> ops,
                                                                                 std::int64_t now_ms);

  // Sessions planned "charge+void" whose charge has reached an outcome the planner acts on
  // and that have no follow-up yet (no void, no capture), oldest first, at most `limit`: it
  // succeeded, was declined (a 402 is the key's own answer: no earlier send of it charged),
  // was written off, or was refused (dead, not unverified) on its one and only send. A charge
  // refused after an earlier send whose outcome was unknown (it may have charged) waits for
  // an operator, like an unverified one.
  [[nodiscard]] Result<std::vector<std::string>> charges_to_follow_up(int limit);
  // The follow-up of charge `charge_id`, in one transaction: `ops` are queued; with a
  // `remainder`, it goes straight into the dead-letter list with `remainder_reason`, and the
  // charge is marked replaced by it (never resent). Error "already_followed" (nothing
  // written) if the session already has a void or a capture.
  [[nodiscard]] Result<std::vector<std::int64_t>> follow_up_charge(const std::string& session_id,
                                                                    std::int64_t charge_id,
                                                                    const std::vector<NewPaymentOp>& ops,
                                                                    const std::optional<NewPaymentOp>& remainder,
                                                                    const std::string& remainder_reason,
                                                                    std::int64_t now_ms);

 private:
  Database& db_;
};

}  // namespace passgate::db
