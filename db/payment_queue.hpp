// PaymentQueue: the durable payment operations queue (store-and-forward). Each operation is
// a row with its idempotency key ("<session_id>:<op>", unique, never changed), written
// before its first attempt, and an explicit state machine:
//   pending -> in_flight -> succeeded | declined | dead      (final)
//   (`attempts` counts every send: one per in_flight, plus the client's resends)
//   in_flight -> pending   (outcome unknown or retry later: same key, after a backoff)
//   declined | dead -> pending (operator retry; a declined charge: a new operation instead,
//                      under a new key, this one replaced by it), -> written_off (operator write-off)
// An operation may wait for another one (`after_op_id`) to reach a final state first.
// Declined and dead operations with `alert` set form the dead-letter list. A dead operation
// marked `unverified` had an answer that was not its outcome (money may have moved). A failed
// operation `replaced_by` another one (its hold was captured instead, the remainder left to an
// operator; or an operator's new attempt at a declined charge) is never sent again. `maybe_executed` says whether the gateway may have run
// the operation: set by every answer and every send, except a request never written and a
// single send answered 429 (rate limited: not run, per the gateway's contract); never cleared.
// `hold_canceled` marks a failed card capture or increment whose hold was found cancelled
// with nothing received; an operator retry clears it.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/minor_sum.hpp"
#include "common/result.hpp"
#include "db/audit_log.hpp"
#include "db/database.hpp"

namespace SQLite { class Database; }

namespace passgate::db {

enum class PaymentOpState { pending, in_flight, succeeded, declined, dead, written_off };
[[nodiscard]] std::string_view to_string(PaymentOpState s);
[[nodiscard]] std::optional<PaymentOpState> payment_op_state_from_string(std::string_view name);
// succeeded, declined, dead and written_off: nothing more will be sent.
[[nodiscard]] bool is_final(PaymentOpState s);
// The dead-letter list: a final failure (declined or dead) with `alert` set, so an operator
// must retry or write it off. Declines that need no operator (a hold refused at entry, the
// shopper turned away) have `alert` cleared.
[[nodiscard]] bool is_dead_letter(PaymentOpState s, bool alert);

// The last error of an entry hold finished unsent (PaymentQueue::finish_unsent_preauth):
// its entry was denied, interrupted by a restart before it was decided, or admitted and then
// cancelled unused (the lane's grant ended with nobody through, the fire alarm included).
inline constexpr std::string_view kHoldNotSentDenied = "not sent: entry denied";
inline constexpr std::string_view kHoldNotSentAbandoned = "not sent: entry interrupted by a restart";
inline constexpr std::string_view kHoldNotSentCancelled = "not sent: entry not used";

struct NewPaymentOp {
  std::string session_id;
  std::string op;                  // preauth | capture | charge | void
  std::int64_t amount_minor = 0;
  std::string currency;
  std::string intent_id;           // capture, void: the hold's PaymentIntent
  std::optional<std::int64_t> after_op_id;
  bool alert_on_failure = true;    // false: a final failure needs no operator (entry decline)
  // A second operation of the same kind for the session (e.g. "remainder"): its own key.
  std::string key_suffix;
  // The idempotency key: "<session_id>:<op>", or "<session_id>:<op>:<key_suffix>".
  [[nodiscard]] std::string idempotency_key() const {
    return session_id + ":" + op + (key_suffix.empty() ? "" : ":" + key_suffix);
  }
};

struct PaymentOpRecord {
  std::int64_t id = 0;
  std::string session_id;
  std::string op;
  std::string idempotency_key;
  std::int64_t amount_minor = 0;
  std::string currency;
  std::string intent_id;
  std::optional<std::int64_t> after_op_id;
  PaymentOpState state = PaymentOpState::pending;
  bool alert = true;
  int attempts = 0;
  std::int64_t created_at_ms = 0;
  std::int64_t first_attempt_at_ms = 0;  // 0: never attempted
  std::int64_t next_attempt_at_ms = 0;
  std::int64_t finished_at_ms = 0;
  std::string last_error;
  bool unverified = false;                  // dead on an answer that was not the outcome
  std::optional<std::int64_t> replaced_by;  // a failed charge settled otherwise: never resent
  bool maybe_executed = false;              // the gateway may have run it (see the top)
  bool hold_canceled = false;               // a failed capture or increment whose hold is gone (OutcomeWrite)
  bool op_key_sent = true;                  // preauth, charge: sent with metadata[op_key]; false:
                                            // first sent by an older version, resent as it was
};

// The recorded outcome of one operation in flight, for PaymentQueue::record_outcomes: the
// state it moves to, with what mark_succeeded, mark_declined, mark_dead, mark_unverified or
// mark_retry would write, and the sends beyond the first (add_attempts) in the same write.
struct OutcomeWrite {
  enum class To { succeeded, declined, dead, unverified, retry };
  std::int64_t id = 0;
  To to = To::retry;
  std::string text;                     // declined, dead, unverified: the reason; retry: the error
  std::string intent_id;                // succeeded: the PaymentIntent; unverified: the one answered
  std::int64_t finished_at_ms = 0;      // succeeded, declined, dead, unverified
  std::int64_t next_attempt_at_ms = 0;  // retry
  int more_attempts = 0;
  // Whether the gateway may have run the operation in this dispatch: false only when the
  // request was never written, or written once and answered 429 (retry only; every other
  // outcome is an answer to a request that ran, or may have).
  bool maybe_executed = true;
  // declined, dead: a card capture or increment whose hold was read afterwards and found
  // cancelled with nothing received (controller/settlement/hold_check.hpp); the card planner
  // replaces it.
  bool hold_canceled = false;
};

// One transaction of the payment drainer: the outcomes it records and the operations it
// claims (pending -> in flight), for PaymentQueue::commit_batch.
struct DrainBatch {
  std::vector<OutcomeWrite> outcomes;
  std::vector<std::int64_t> claims;
  std::int64_t claimed_at_ms = 0;
};

// Amounts by currency and counts of operations not yet final (pending or in flight).
struct QueueTotals {
  std::int64_t outstanding_ops = 0;
  std::map<std::string, MinorSum> outstanding_minor;  // currency -> amount (common/minor_sum.hpp)
  std::optional<std::int64_t> oldest_created_at_ms;
  // The outstanding operation created first (the lowest id, whatever the wall clock did):
  // its id and created_at_ms.
  std::optional<std::pair<std::int64_t, std::int64_t>> first_outstanding;
  std::int64_t dead_letters = 0;  // declined or dead, with alert
  // Open quarantined carts (db/cart_quarantine.hpp) by reason: never charged, waiting for an
  // operator like the dead letters.
  std::map<std::string, std::int64_t> quarantined_carts;
  // Sessions admitted offline that the tracking engine refused afterwards (their holds are
  // voided; the shoppers were inside, unfollowed), ever.
  std::int64_t refused_sessions = 0;
  // Card sessions (db/card_settlement_store.hpp): cards on the blocklist for an unpaid
  // remainder (partially paid sessions not settled by an operator yet), and the capture_before
  // (Unix s) of every card hold still open (kOpenCardHolds), soonest first.
  std::int64_t cards_partially_paid = 0;
  std::vector<std::int64_t> card_hold_deadlines_s;
  [[nodiscard]] std::int64_t quarantined_total() const;
  // How many of card_hold_deadlines_s are less than `warning_s` after `now_s` (or past, but
  // not more than kHoldWatchAfterLapseS: such a hold is watched no more).
  [[nodiscard]] std::int64_t card_holds_near_lapse(std::int64_t now_s, std::int64_t warning_s) const;
};


class PaymentQueue {
 public:
  explicit PaymentQueue(Database& db) : db_(db) {}

  // Appends a pending operation due at once; returns its id. Error "duplicate_key" if an
  // operation with the same idempotency key exists (nothing written).
  [[nodiscard]] Result<std::int64_t> enqueue(const NewPaymentOp& op, std::int64_t now_ms);
  // For the settlement store: inserts within the caller's open transaction. Throws
  // SQLite::Exception, so call it only inside guarded().
  static std::int64_t insert(Database& db, const NewPaymentOp& op, std::int64_t now_ms);
  // For the settlement store, within its transaction: inserts `op` straight into the
  // dead-letter list (dead, alert, `reason`), never sent until an operator retries it.
  static std::int64_t insert_dead_letter(Database& db, const NewPaymentOp& op, const std::string& reason,
                                         std::int64_t now_ms);
  // For the session store, within its transaction (the denial or abandonment of the session's
  // entry): the pre-authorization of `session_id` that the gateway cannot have run (pending,
  // not `maybe_executed`: never sent, or only answered 429) is finished unsent: dead, with no
  // alert, its last error `reason`. No hold may be placed on the card of a shopper who was not
  // let in, and it no longer counts as outstanding (totals(), the offline risk limits). One the
  // gateway may have run, or in flight, stays queued as it is: a hold may stand at the
  // gateway, which the settlement voids (a hold in flight whose answer is a single 429 is
  // finished when that answer is recorded, commit_batch). How many were finished.
  static int finish_unsent_preauth(Database& db, const std::string& session_id, const std::string& reason,
                                   std::int64_t now_ms);
  // For the settlement store, within its transaction: the failed operation `id` is settled
  // by others; `replaced_by` carries what is left of it. It leaves the dead-letter list and
  // can no longer be retried; `note` is added to its last error.
  static void mark_replaced(Database& db, std::int64_t id, std::int64_t replaced_by, const std::string& note);

  [[nodiscard]] Result<std::optional<PaymentOpRecord>> find(std::int64_t id);
  [[nodiscard]] Result<std::vector<PaymentOpRecord>> for_session(const std::string& session_id);
  // Pending operations due at `now_ms` whose `after` operation (if any) is final, oldest
  // first, at most `limit`.
  [[nodiscard]] Result<std::vector<PaymentOpRecord>> due(std::int64_t now_ms, int limit);
  // When the next pending operation becomes due (ignoring ones still waiting for another
  // operation, and those of `except`), if any.
  [[nodiscard]] Result<std::optional<std::int64_t>> next_due_at(const std::vector<std::int64_t>& except = {});
  // Operations in any of `states`, oldest first.
  [[nodiscard]] Result<std::vector<PaymentOpRecord>> in_states(const std::vector<PaymentOpState>& states);

  // pending -> in_flight: one more attempt, the first attempt's time kept.
  [[nodiscard]] Status mark_in_flight(std::int64_t id, std::int64_t now_ms);
  // The drainer's batch, in ONE transaction: records every outcome of `batch`, and claims every
  // operation of its claims (as mark_in_flight, at claimed_at_ms). An error: nothing was
  // written (every operation of the outcomes still in flight, every claimed one still
  // pending); "wrong_state" if a claimed operation is not pending. Otherwise the status of
  // each outcome in order: ok, or "wrong_state" for an operation that was not in flight (that
  // write alone is skipped; the rest is committed). A retry of an entry hold the gateway cannot
  // have run (not `maybe_executed`) whose session was denied or cancelled meanwhile is finished
  // unsent instead (kHoldNotSentDenied, kHoldNotSentCancelled), as the denial or cancel would
  // have done had it not been in flight.
  [[nodiscard]] Result<std::vector<Status>> commit_batch(const DrainBatch& batch);
  // commit_batch with claims only: all of `ids` go in flight, or none does.
  [[nodiscard]] Status mark_in_flight(const std::vector<std::int64_t>& ids, std::int64_t now_ms);
  // commit_batch with outcomes only.
  [[nodiscard]] Result<std::vector<Status>> record_outcomes(const std::vector<OutcomeWrite>& writes);
  // in_flight -> succeeded, remembering the PaymentIntent id.
  [[nodiscard]] Status mark_succeeded(std::int64_t id, const std::string& intent_id, std::int64_t now_ms);
  // in_flight -> declined | dead, with the reason.
  [[nodiscard]] Status mark_declined(std::int64_t id, const std::string& reason, std::int64_t now_ms);
  [[nodiscard]] Status mark_dead(std::int64_t id, const std::string& reason, std::int64_t now_ms);
  // in_flight -> dead with `alert` set, whatever alert_on_failure said: the gateway's answer
  // was not the operation's outcome (money may have moved), a person must look. A preauth
  // records the PaymentIntent id the answer named (`answered_intent_id`, may be empty): a hold
  // may stand there, which the settlement voids (controller/settlement/planner.cpp).
  [[nodiscard]] Status mark_unverified(std::int64_t id, const std::string& reason,
                                       const std::string& answered_intent_id, std::int64_t now_ms);
  // in_flight: `count` more attempts for the send under way (the HTTP client wrote the
  // request again on a fresh connection after a stale pooled one failed).
  [[nodiscard]] Status add_attempts(std::int64_t id, int count);
  // in_flight -> pending, due again at `next_attempt_at_ms` (the gateway may have run it).
  [[nodiscard]] Status mark_retry(std::int64_t id, std::int64_t next_attempt_at_ms, const std::string& error);
  // Operations the gateway account in use already knows of and that are not done with it:
  // not final and sent at least once, or acting on a hold placed there (capture, void,
  // increment); dead
  // letters sent at least once (an operator may retry them); holds placed there and not yet
  // captured or voided.
  [[nodiscard]] Result<std::int64_t> begun_at_gateway();
  // The latest wall time any operation was created, first sent or finished at (0: none).
  [[nodiscard]] Result<std::int64_t> latest_time_ms();
  // The id of the operation created last (0: none); ids grow in the order operations are made.
  [[nodiscard]] Result<std::int64_t> last_id();
  // After the wall clock stepped back: every pending operation due later than `latest_ms`
  // becomes due at `latest_ms` (its wait was counted on a clock that ran ahead). How many.
  [[nodiscard]] Result<int> bring_forward(std::int64_t latest_ms);
  // At start-up: every in_flight operation back to pending, due at once (resent with its
  // same key), taken as possibly run by the gateway. Returns how many.
  [[nodiscard]] Result<int> resume_in_flight(std::int64_t now_ms);

  // Whether a final failure of this operation needs an operator (the dead-letter list).
  [[nodiscard]] Status set_alert(std::int64_t id, bool alert);

  // Operator actions, each with an audit_log row in the same transaction.
  // declined | dead -> pending, due at once, with its same key: a dead operation may have run
  // at the gateway, and its key is what keeps a resend from running it twice. A declined charge
  // (money it was to create: the rest above a hold, a remainder, a charge in place of a
  // capture, an app session's charge) is a new attempt instead, as the gateway answers its key
  // with the stored decline for 24 h and a lookup after that finds the declined PaymentIntent:
  // a new pending operation, a copy of it under the key "<its first key>:retry<n>" (n: the
  // operator's n-th new attempt at it; its metadata[op_key] follows), and this one replaced by
  // it (never resent, out of the dead-letter list); what was pending after it waits for the new
  // attempt. Error "wrong_state" otherwise, and for a
  // replaced operation, a preauth of a session already settled, or a declined charge that
  // settlement has not yet followed up (an app session's charge above its hold before the
  // hold's capture or void is queued; a card session's rest or charge in place of a capture
  // before its remainder is): the follow-up looks for that charge, never for a new attempt.
  [[nodiscard]] Status retry(std::int64_t id, const AuditActor& actor, std::int64_t now_ms);
  // declined | dead -> written_off. Error "wrong_state" otherwise; "bad_reason" if empty.
  [[nodiscard]] Status write_off(std::int64_t id, const std::string& reason, const AuditActor& actor,
                                 std::int64_t now_ms);

  [[nodiscard]] Result<QueueTotals> totals();

 private:
  // Within commit_batch: kFinishDeniedUnsent for operation `id` (see commit_batch).
  void finish_if_denied(std::int64_t id, std::int64_t now_ms);
  Database& db_;
};

}  // namespace passgate::db
