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

// The card holds still open, whose capture_before is watched: the card sessions not planned
// yet (through sessions_holds_unsettled: a card session counts as one with a hold, migration
// 16), and the planned ones whose capture, void or increment has not gone through (not
// succeeded nor written off, nor replaced because the hold was gone or by the next row). session_id, capture_before_s,
// whether the session is planned, soonest first.
inline constexpr const char* kOpenCardHolds =
    "SELECT a.session_id, a.capture_before_s, EXISTS (SELECT 1 FROM settlements t WHERE t.session_id = a.session_id)"
    " FROM card_attempts a WHERE a.state = 'admitted' AND a.capture_before_s IS NOT NULL AND a.session_id IN"
    " (SELECT s.session_id FROM sessions s INDEXED BY sessions_holds_unsettled WHERE s.settled = 0"
    " AND s.hold_requested = 1"
    " UNION SELECT o.session_id FROM payment_ops o WHERE o.state IN ('pending', 'in_flight', 'declined', 'dead')"
    " AND o.op IN ('capture', 'void', 'increment') AND o.replaced_by IS NULL)"
    " ORDER BY a.capture_before_s";

// A hold watched no more once this long past its capture_before (nothing the gate sends can
// still use it): left out of passgate_card_holds_near_lapse, logged once.
inline constexpr std::int64_t kHoldWatchAfterLapseS = 24 * 3600;

// A card hold still open and its deadline.
struct OpenCardHold {
  std::string session_id;
  std::int64_t capture_before_s = 0;
  bool planned = false;  // settled: its capture or void waits to go through
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
  // Card sessions whose operation `op` ("<session_id>:<op>": "charge", "charge:capture",
  // "capture" or "increment") reached an outcome the planner acts on and has no follow-up
  // yet, oldest first, at most `limit`: a charge declined; a capture declined or refused whose
  // hold was found cancelled with nothing received (hold_canceled); an increment succeeded,
  // declined, written off by an operator (the hold is not raised: the next row follows), or
  // refused (dead, not unverified) on its one and only send or with its hold found gone
  // (hold_canceled). Anything else (one refused after an earlier send whose outcome
  // was unknown, or unverified) waits for an operator.
  [[nodiscard]] Result<std::vector<std::string>> to_follow_up(const std::string& op, int limit);
  // The follow-up of the failed operation `failed_id` (a declined charge, a capture whose hold
  // is gone): `op` queued in its place (a charge of what it was to collect), or `remainder` as
  // a dead letter with the card listed; the failed one replaced by it (never resent, out of
  // the dead-letter list), in one transaction. "already_followed" (nothing written) if it is
  // replaced already.
  [[nodiscard]] Status replace_failed(std::int64_t failed_id, const std::optional<NewPaymentOp>& op,
                                      const std::optional<UnpaidRemainder>& remainder, std::int64_t now_ms);
  // The follow-up of increment `increment_id`: `ops` queued (each after the one before), and
  // with a `remainder` its dead letter and the blocklist entry, in one transaction; a declined
  // or refused increment is replaced by the first of them (out of the dead-letter list, never
  // retried). "already_followed" (nothing written) if the session has a capture already.
  [[nodiscard]] Result<std::vector<std::int64_t>> increment_followed(std::int64_t increment_id,
                                                                     std::vector<NewPaymentOp> ops,
                                                                     const std::optional<UnpaidRemainder>& remainder,
                                                                     std::int64_t now_ms);
  // The card holds still open (kOpenCardHolds), soonest first.
  [[nodiscard]] Result<std::vector<OpenCardHold>> open_holds();
  // Cards on the blocklist for an unpaid remainder, in force.
  [[nodiscard]] Result<std::int64_t> partially_paid_in_force();

 private:
  Database& db_;
};

}  // namespace passgate::db
