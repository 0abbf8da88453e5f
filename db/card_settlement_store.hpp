// CardSettlementStore: the settlement of card sessions (the sessions of admitted card attempts,
// docs/settlement.md "Card sessions"), beside the app sessions' SettlementStore and on the
// same tables: which card sessions wait for a decision; the decision with its payment
// operations, and for a partially paid session its unpaid remainder (a dead letter) and its
// card on the blocklist, in ONE transaction; the card charges and increments whose outcome
// decides what follows; and the holds not settled yet, with their capture_before. A session
// has at most one settlement (its primary key), so a card session is settled once, and only
// one whose attempt was admitted. Single-threaded, on the event loop.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "db/database.hpp"
#include "db/payment_queue.hpp"
#include "db/settlement_store.hpp"

namespace passgate::db {

// The blocklist reason of a card whose session left an unpaid remainder.
inline constexpr std::string_view kUnpaidRemainder = "unpaid_remainder";

// What a partially paid card session leaves: `op`, a charge of the unpaid part under its own
// key ("<session_id>:charge:remainder"), goes straight into the dead-letter list with `reason`,
// and the card (`fingerprint_hash`) on the blocklist.
struct UnpaidRemainder {
  NewPaymentOp op;
  std::string reason;
  std::string fingerprint_hash;
};

// The card sessions not settled yet whose hold has a capture_before: session_id,
// capture_before_s, soonest first (through sessions_holds_unsettled: a card session counts as
// one with a hold, migration 16).
inline constexpr const char* kOpenCardHolds =
    "SELECT a.session_id, a.capture_before_s FROM sessions s INDEXED BY sessions_holds_unsettled"
    " CROSS JOIN card_attempts a ON a.session_id = s.session_id"
    " WHERE s.settled = 0 AND s.hold_requested = 1 AND a.state = 'admitted' AND a.capture_before_s IS NOT NULL"
    " ORDER BY a.capture_before_s";

// A card session not settled yet and its hold's deadline.
struct OpenCardHold {
  std::string session_id;
  std::int64_t capture_before_s = 0;
};

class CardSettlementStore {
 public:
  explicit CardSettlementStore(Database& db) : db_(db) {}

  // Card sessions that need a settlement decision (as SettlementStore::candidates for app
  // sessions), oldest first, at most `limit`.
  [[nodiscard]] Result<std::vector<SettlementCandidate>> candidates(int limit);
  // Records the decision and its operations (each waits for the one before it) and, with a
  // `remainder`, its dead letter and the blocklist entry, in one transaction. Error
  // "already_settled" (nothing written) if the session has a settlement.
  [[nodiscard]] Result<std::vector<std::int64_t>> settle(const SettlementDecision& decision,
                                                         std::vector<NewPaymentOp> ops,
                                                         const std::optional<UnpaidRemainder>& remainder,
                                                         std::int64_t now_ms);
  // Card sessions whose operation `op` ("<session_id>:<op>": "charge" or "increment") reached
  // an outcome the planner acts on and has no follow-up yet, oldest first, at most `limit`:
  // declined, or refused (dead, not unverified) on its one and only send; for an increment
  // also succeeded. One refused after an earlier send whose outcome was unknown, or
  // unverified, waits for an operator.
  [[nodiscard]] Result<std::vector<std::string>> to_follow_up(const std::string& op, int limit);
  // The follow-up of the failed charge `charge_id`: the remainder as a dead letter, the charge
  // replaced by it (never resent), the card listed, in one transaction. "already_followed"
  // (nothing written) if the charge is replaced already.
  [[nodiscard]] Status charge_failed(std::int64_t charge_id, const UnpaidRemainder& remainder, std::int64_t now_ms);
  // The follow-up of increment `increment_id`: `ops` queued (each after the one before), and
  // with a `remainder` its dead letter and the blocklist entry, in one transaction.
  // "already_followed" (nothing written) if the session has a capture already.
  [[nodiscard]] Result<std::vector<std::int64_t>> increment_followed(std::int64_t increment_id,
                                                                     std::vector<NewPaymentOp> ops,
                                                                     const std::optional<UnpaidRemainder>& remainder,
                                                                     std::int64_t now_ms);
  // Card sessions not settled yet whose hold has a capture_before, soonest first.
  [[nodiscard]] Result<std::vector<OpenCardHold>> open_holds();
  // Cards on the blocklist for an unpaid remainder, in force.
  [[nodiscard]] Result<std::int64_t> partially_paid_in_force();

 private:
  Database& db_;
};

}  // namespace passgate::db
