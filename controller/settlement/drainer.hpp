// PaymentDrainer: the one component that sends payment operations to the gateway. It takes
// due operations from the durable queue (db/payment_queue.hpp), marks each in flight before
// sending it with its fixed idempotency key, and records the outcome:
//   succeeded -> succeeded (the PaymentIntent id kept); 402 -> declined; a rejected request
//   -> dead, with the reason; unverified (an answer that is not the outcome: a status the
//   contract does not name, a PaymentIntent that does not match) -> dead with an alert and
//   the mismatch, never resent by itself; 409/429 -> pending again after Retry-After (a 429
//   pauses all sending: until the pause ends nothing at all is sent, no claim, no entry hold
//   (send_now answers retry_later at once) and no send after a lookup answered meanwhile (it
//   finishes as retry_later); the pause is the Retry-After within retry_initial_ms ..
//   retry_max_ms, longer for 429s in a row (rate_limit_pause), and the operation that got
//   the 429 waits for the longer of the pause and its own backoff); unknown (time-out, 5xx,
//   reset) -> pending again after exponential backoff with jitter, capped. A stopped drainer
//   (stop() called) sends nothing either (send_now and a lookup answered after stop() finish
//   as unknown). Never more than
//   max_in_flight requests at once, and no more than max_requests_per_second started
//   (RequestPacer; a lookup counts for the send that may follow it; send_now, the entry's
//   hold, is not paced).
// Every send is an attempt (in the queue's attempts, the log's attempt= and the counters):
// one when an operation goes in flight, one more for each resend the HTTP client made on a
// fresh connection after a stale pooled one failed or answered 408 (PaymentOutcome::sends).
// Batches (PaymentQueue::commit_batch, ONE transaction each): outcomes are not recorded one
// by one. Each is collected, and a pump posted for the next turn of the loop records
// everything collected by then, so the outcomes of one reactor pass share one commit; the
// same transaction claims (marks in flight) every due operation that the free slots, those
// outcomes' slots included, and the pace allow. Only after it commits does anything follow:
// the claimed operations are sent; each outcome's counters and log line, `done` (the entry
// hold) and on_final (the planner) run, and its slot is free. Until then the slot stays taken,
// so the operation counts as in flight and no claim overtakes it.
// If that commit fails nothing of the batch is written. A failure of the whole database (a
// full disk, another connection's lock): every operation of its outcomes stays in flight in
// the database, keeps its slot and is recorded again on the next wake; the claimed ones stay
// pending, due. Any other failure (one row's: a constraint, a claim in the wrong state): the
// outcomes are recorded again one at a time and the claims in their own transaction, so only
// the operation whose row fails waits and the rest are acted on, each after its own commit.
// Such a row is never put in the shared batch again (it would fail every pass's batch): an
// outcome it refused keeps its slot and is recorded alone, a claim it refused is left out of
// the claims and made alone, each after a wait that doubles from retry_initial_ms up to
// retry_max_ms on every failure (RowBackoff), so the rest of the drain goes back to one
// commit per pass and the drainer does not wake every few ms for that row. A `done` waiting for an outcome not recorded is told at once: a success as
// `unknown` (no success is reported before it is durable), anything else as it is (a denial
// moves no money). A stop or crash before a batch commits leaves its operations in flight,
// and the next start resolves them exactly as any operation left in flight: resent with the
// same key, or first looked up when its key may be gone (below); the gateway replays what it
// already did.
// A card session's capture or void that the gateway declines or refuses is not recorded as
// such at once: its hold is read first (PaymentGateway::read_intent), and what it shows is
// recorded (controller/settlement/hold_check.hpp): a capture found done as succeeded, one
// whose hold is gone with nothing received as failed with hold_canceled (the card planner
// replaces it), a read that fails for now, or a capture whose hold still reads
// requires_capture until a day past its capture_before (8 days after the hold was placed when
// that is not known; never more than 8 days after the capture's first attempt), as unknown
// (sent again with its key, read again). So is a card increment whose answer was lost after it
// was written: a hold raised to its amount is its success, one not raised yet sends it again
// with its key, one gone is failed with hold_canceled, anything else unverified (hold_check.hpp).
// At start-up every operation left in flight is resent with its same key. An operation whose
// first attempt is older than search_after (23 h: the gateway keeps keys for 24 h), or
// cannot be shown to be younger because the wall clock stepped back since
// (controller/settlement/wall_clock_watch.hpp), is first looked up with the search endpoint, and what it finds decides (controller/
// payment_search_verdict.hpp): a PaymentIntent in the state that means the operation happened
// is adopted instead of creating a second one, if it matches the operation as an answer must
// (ports/payment_intent_match.hpp); a decline is a decline; one still processing is
// looked up again later; any other state is unverified. Single-threaded, on the event loop.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "common/result.hpp"
#include "ports/payment_gateway.hpp"
#include "controller/settlement/request_pacer.hpp"
#include "controller/settlement/retry_backoff.hpp"
#include "controller/settlement/row_backoff.hpp"
#include "controller/settlement/wall_clock_watch.hpp"
#include "crypto/payment_sealer.hpp"
#include "db/card_attempt_store.hpp"
#include "db/gate_status.hpp"
#include "db/payment_queue.hpp"
#include "db/session_store.hpp"

namespace passgate::controller {

struct DrainerSettings {
  std::string gate_id;
  int max_in_flight = 4;
  int max_requests_per_second = 0;  // RequestPacer: the queue's sends and lookups; 0: unpaced
  RetryPolicy retry{Millis{1000}, Millis{300000}};
  Millis request_timeout{10000};
  Millis idle_poll{1000};  // how often an idle drainer looks for operator retries
  Millis search_after{std::chrono::hours{23}};
};

struct DrainerCounters {
  std::int64_t attempts = 0;  // every send
  std::int64_t succeeded = 0;
  std::int64_t declined = 0;
  std::int64_t dead = 0;
  std::int64_t retried = 0;
  std::int64_t adopted = 0;  // found by search and adopted
  std::int64_t unverified = 0;  // answers that were not the outcome: dead letters
};

class PaymentDrainer {
 public:
  using OnFinal = std::function<void(const db::PaymentOpRecord&)>;
  using Done = std::function<void(const PaymentOutcome&)>;

  PaymentDrainer(DrainerSettings settings, db::PaymentQueue& queue, db::SessionStore& sessions,
                 const crypto::PaymentSealer& sealer, PaymentGateway& gateway, db::GateStatus& status,
                 TimerService& timers, Clock& clock);
  PaymentDrainer(const PaymentDrainer&) = delete;
  PaymentDrainer& operator=(const PaymentDrainer&) = delete;

  // Called after an operation reached a final state (e.g. to plan settlements that waited
  // for a hold).
  void set_on_final(OnFinal on_final) { on_final_ = std::move(on_final); }
  // The entry holds of sessions `denied` names (denied at the lane, the denial not yet taken
  // by the database, so the session is still opening on disk) are not sent by the queue: never
  // claimed (nothing is written, so a crash cannot leave one in flight, "maybe executed"),
  // they wait in memory and are looked at again after a growing wait, and the denial, once
  // written, finishes them unsent.
  void hold_back_entries_of(std::function<bool(const std::string& session_id)> denied) {
    entry_denied_ = std::move(denied);
  }
  // Card sessions' charges are sent with the customer and saved card of their admitted card
  // attempt (controller/settlement/charge_reference.hpp); without it they have none.
  void set_card_attempts(db::CardAttemptStore* attempts) { card_attempts_ = attempts; }
  // Puts operations left in flight back in the queue, due at once, and starts draining.
  [[nodiscard]] Status start();
  // New operations may be due: send what the in-flight bound allows.
  void kick();
  // A config reload: new bounds and backoff from the next request on (the gate id is not
  // expected to change); sends at once what a higher in-flight bound allows.
  void reconfigure(DrainerSettings settings);
  // The gate is stopping: nothing more is sent, the outcomes already here are recorded, and
  // every operation still in flight is recorded as pending again (its outcome is unknown),
  // due at once, so the next start resends it with its same idempotency key. How many there
  // were.
  [[nodiscard]] Result<int> stop();
  // The entry path's pre-authorization: sends the pending operation `id` at once, ahead of
  // the queue and outside the in-flight bound, within `timeout`. `done` gets the outcome
  // once it is committed (if that commit fails, at once: a success as `unknown`, anything else
  // as it is; the outcome is recorded later); an unknown outcome leaves the operation queued
  // for retry. Stopped: `unknown`, nothing sent; during the pause after a 429: `retry_later`,
  // nothing sent; either way the operation stays pending, sent by the queue later.
  void send_now(std::int64_t id, Millis timeout, Done done);

  [[nodiscard]] const DrainerCounters& counters() const { return counters_; }
  // Operations sent whose outcome is not committed yet (answered or not).
  [[nodiscard]] std::size_t in_flight() const { return in_flight_.size(); }
  // The last request's transport outcome: any HTTP answer below 500 means reachable.
  [[nodiscard]] std::optional<bool> gateway_reachable() const { return reachable_; }
  // Looks at the wall clock now (as before each round of sending): a backwards step since
  // the last look brings retries forward and is remembered by clock_watch().
  void notice_clock_step();
  // What the drainer knows of wall clock steps: for ages that a step back must not shrink,
  // and for status and health.
  [[nodiscard]] const WallClockWatch& clock_watch() const { return clock_watch_; }

 private:
  // An outcome collected for the next batch record.
  struct Arrived {
    db::PaymentOpRecord op;
    PaymentOutcome outcome;
    db::OutcomeWrite write;
    Millis delay{0};  // retry: the wait before the next attempt
    Done done;        // cleared once told (an outcome whose record failed)
  };

  void pump();
  void schedule_wake(std::optional<Millis> delay = std::nullopt);
  // After `op` went in flight: looks it up first if it must, and sends it.
  void dispatch(const db::PaymentOpRecord& op, Millis timeout, Done done);
  void send(const db::PaymentOpRecord& op, Millis timeout, Done done);
  void adopt_or_send(const db::PaymentOpRecord& op, Millis timeout, Done done, const PaymentOutcome& search,
                     SteadyTime sent_at);
  // Whether `session_id` is an admitted card attempt's, and its hold's capture_before and
  // when it was placed; empty if the database cannot tell now.
  struct CardSession {
    bool card = false;
    std::optional<std::int64_t> capture_before_s;
    std::int64_t held_at_ms = 0;
  };
  // A card session's capture or void declined or refused, or increment whose answer was lost
  // (`failed`): reads its hold first, and finishes with what the hold shows
  // (controller/settlement/hold_check.hpp).
  void check_hold(const db::PaymentOpRecord& op, const PaymentOutcome& failed, Millis timeout, const Done& done,
                  SteadyTime sent_at, const CardSession& card);
  // Finishes `op` (a capture, void or increment that `failed`) as its hold read back (`read`) says.
  void finish_hold_checked(const db::PaymentOpRecord& op, const PaymentOutcome& failed, const PaymentOutcome& read,
                           const Done& done, SteadyTime sent_at, const CardSession& card);
  [[nodiscard]] std::optional<CardSession> card_session(const std::string& session_id) const;
  // An outcome from the gateway (it also tells whether the gateway is reachable) ...
  // (`hold_canceled`: a capture whose hold is gone with nothing received, hold_check.hpp)
  void finish(const db::PaymentOpRecord& op, const PaymentOutcome& outcome, const Done& done, SteadyTime sent_at,
              bool hold_canceled = false);
  // ... or one decided here without asking it (e.g. the payment reference cannot be opened).
  void finish_local(const db::PaymentOpRecord& op, const PaymentOutcome& outcome, const Done& done);
  // Collects the outcome for the next batch record (posted for the next turn of the loop).
  void complete(const db::PaymentOpRecord& op, const PaymentOutcome& outcome, const Done& done,
                bool hold_canceled = false);
  // What recording `outcome` writes for `op` (a 429 pauses every send from now on).
  [[nodiscard]] Arrived arrived(const db::PaymentOpRecord& op, const PaymentOutcome& outcome, const Done& done);
  // What a `done` is told of an outcome not recorded yet, told once the drainer's state is
  // settled.
  struct Telling {
    Done done;
    PaymentOutcome outcome;
  };

  // Records every collected outcome and claims `claims` (due operations, pending) in ONE
  // transaction; once it commits, sends the claimed operations, then runs what follows from
  // each outcome. If it fails for the whole database (full, locked), everything waits for the
  // next wake; if it fails otherwise (one row: a constraint, a claim in the wrong state),
  // record_apart.
  void record_arrived(const std::vector<db::PaymentOpRecord>& claims);
  // The batch again, apart: each outcome in its own transaction, then the claims in theirs
  // (as many as the slots freed for good allow), so a row that cannot be written holds back
  // only its own operation. Each outcome is still acted on only after its own commit.
  void record_apart(std::vector<Arrived> batch, std::vector<db::PaymentOpRecord> claims, const Error& why);
  // How many slots recording `outcomes` frees: the distinct operations among them that hold
  // one (two outcomes of one operation, one from before a stop, free one slot).
  [[nodiscard]] int slots_freed_by(const std::vector<Arrived>& outcomes) const;
  // Marks `claims` in flight in one transaction or, if one of them fails it, one at a time;
  // the ones now in flight. A claim its own row refused is held back (held_claims_).
  [[nodiscard]] std::vector<db::PaymentOpRecord> claim_apart(const std::vector<db::PaymentOpRecord>& claims);
  // Outcomes whose record failed for the whole database (`why`, each): logged and put back
  // in front of arrived_, keeping their slots, to be recorded on the next wake. What their
  // `done`s are to be told (a success is not reported before it is durable: unknown; anything
  // else as it is).
  [[nodiscard]] std::vector<Telling> hold_back(std::vector<Arrived> kept, const std::vector<std::string>& why);
  // Outcomes whose own row refused their record (`why`, each): logged and kept in refused_,
  // with their slots, to be recorded alone after a growing wait. What their `done`s are to be
  // told, as hold_back.
  [[nodiscard]] std::vector<Telling> refuse(std::vector<Arrived> refused, const std::vector<std::string>& why);
  // Logs `a` as not recorded (`why`; `next` says what follows) and takes its `done` into `to_tell`.
  void not_recorded(Arrived& a, const std::string& why, const std::string& next, std::vector<Telling>& to_tell);
  // Records, each in its own transaction, the refused outcomes whose wait is over at `now`
  // (`all`: every one), then acts on those recorded; the others wait longer.
  void record_refused(SteadyTime now, bool all);
  // Claims alone, each in its own transaction, the held-back operations whose wait is over
  // at `now`, at most `room` and as the pace allows, and sends them. How many were claimed.
  int claim_held(SteadyTime now, int room);
  // Whether `op` is an entry hold held back (hold_back_entries_of) now.
  [[nodiscard]] bool entry_denied(const db::PaymentOpRecord& op) const;
  // Leaves `op`, an entry hold held back, unclaimed until its wait is over (denied_holds_).
  void hold_back_entry(const db::PaymentOpRecord& op, SteadyTime now);
  // The entry holds held back whose wait is over at `now`: held back longer if their entry is
  // still denied, else claimed again as due() finds them.
  void review_denied_holds(SteadyTime now);
  void tell(std::vector<Telling> to_tell);
  // After the commit of `batch`'s outcomes (`statuses`, each) and of `claims`: frees the
  // outcomes' slots, sends the claimed operations, then runs what follows from each outcome.
  void committed(std::vector<Arrived> batch, const std::vector<Status>& statuses,
                 const std::vector<db::PaymentOpRecord>& claims);
  // What follows from an outcome once it is committed: counters, log line, done, on_final.
  void recorded(const Arrived& a);
  // How long the pause after a 429 still lasts, if one is under way.
  [[nodiscard]] std::optional<Millis> pause_left() const;
  // The pause of every send after one more 429 (counted in consecutive_429s_) that asked for
  // `retry_after`: that, or retry_initial_ms doubled for each 429 in a row before this one if
  // longer, at least retry_initial_ms and at most retry_max_ms. It does not depend on the
  // retry history of the operation that got the 429.
  [[nodiscard]] Millis rate_limit_pause(std::optional<Millis> retry_after) const;
  // A 429 answered a request sent at `sent_at`: a new pause (counted in consecutive_429s_)
  // unless the request went out before the current or last pause began (the same burst: its
  // Retry-After may only lengthen that pause).
  void rate_limited(std::optional<Millis> retry_after, SteadyTime sent_at);
  // Calls on_final for operation `id` once an outcome of `kind` is recorded, if it is final.
  void report_final(std::int64_t id, PaymentOutcomeKind kind);
  void note_reachability(const PaymentOutcome& outcome);
  // Whether `op` must be looked up at the gateway before it is resent (its key may be gone).
  [[nodiscard]] bool needs_lookup(const db::PaymentOpRecord& op, std::int64_t now) const;
  // A backwards step of the wall clock: retries scheduled on the clock before it come due.
  void on_clock_stepped_back(const ClockStepBack& step);
  [[nodiscard]] std::int64_t now_ms() const;

  DrainerSettings settings_;
  db::PaymentQueue& queue_;
  db::SessionStore& sessions_;
  const crypto::PaymentSealer& sealer_;
  PaymentGateway& gateway_;
  db::GateStatus& status_;
  TimerService& timers_;
  Clock& clock_;
  RetryBackoff backoff_;
  RequestPacer pacer_;
  WallClockWatch clock_watch_;
  OnFinal on_final_;
  std::function<bool(const std::string&)> entry_denied_;  // hold_back_entries_of
  db::CardAttemptStore* card_attempts_ = nullptr;         // set_card_attempts
  std::set<std::int64_t> in_flight_;  // claimed, and no outcome committed yet
  // Outcomes not recorded yet: collected in this pass, or whose batch failed (e.g. disk
  // full), retried on every wake.
  std::vector<Arrived> arrived_;
  // Outcomes whose record their own row refused: each keeps its slot and is recorded alone
  // after a growing wait (refused_backoff_, by operation id), never in the shared batch.
  std::vector<Arrived> refused_;
  RowBackoff refused_backoff_;
  // Pending operations whose claim their own row refused: left out of the shared batch's
  // claims and claimed alone after a growing wait.
  RowBackoff held_claims_;
  // Entry holds held back (hold_back_entries_of): left out of every claim, looked at again
  // after a wait that doubles from retry_initial_ms up to retry_max_ms.
  RowBackoff denied_holds_;
  bool record_posted_ = false;
  std::optional<SteadyTime> paused_until_;  // when the current or last pause after a 429 ends or ended
  int consecutive_429s_ = 0;  // pauses begun by 429s with no other answer between them
  std::optional<SteadyTime> pause_began_at_;  // when the current or last pause began
  std::unique_ptr<Timer> wake_;
  std::optional<bool> reachable_;
  DrainerCounters counters_;
  bool started_ = false;
  // stop() was called, and start() not since: nothing is sent (before the first start(), an
  // entry hold is: send_now works on its own).
  bool stopped_ = false;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // posted records check it
};

}  // namespace passgate::controller
