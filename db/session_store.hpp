// SessionStore: shopper sessions and the used entry-token ids (jti), durably.
// A session row, its token id and its open request for the tracking engine (an outbox
// message) are written in one transaction before the barrier is released (begin_all: scans
// that arrive together share it), so neither a crash nor a restart reopens a replay window
// and the open request is never lost. While the session is `opening` the admission sends
// that request itself and the outbox holds it back (db/outbox.hpp); the state change that
// ends `opening` says what becomes of it: delivered (mark_open removes it), to be delivered
// (mark_open_offline, deny_after_open, abandon_opening leave it to the outbox), or never
// sent (mark_denied removes it). State changes that send a message to the tracking engine
// write the outbox row in the same transaction.
// Used ids are forgotten only by purge_used_tokens, long after their tokens ended, and
// never by a time below the purge's high-water mark (a wall clock that stepped back).
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "db/database.hpp"
#include "db/outbox.hpp"
#include "db/store_claims_pending.hpp"

namespace passgate::db {

// The largest clock-skew allowance the config accepts ([tokens] clock_skew_s).
inline constexpr std::int64_t kMaxClockSkewS = 60;
// How long a used token id is kept past its token's end as recorded (exp + the skew in force
// when it was used): the largest skew, so a reload that raises clock_skew_s shortens no
// retention, and a day on top, so a wall clock up to a day fast forgets no id whose token
// could still be scanned.
inline constexpr std::int64_t kUsedTokenMarginS = 24 * 3600;
inline constexpr std::int64_t kUsedTokenRetentionS = kMaxClockSkewS + kUsedTokenMarginS;

// What one purge_used_tokens call did.
struct TokenPurgeOutcome {
  bool skipped = false;     // the time given was below the mark: nothing forgotten
  int forgotten = 0;        // ids forgotten
  std::int64_t mark_s = 0;  // the purge's high-water mark after the call (Unix s)
};

enum class SessionState {
  opening,      // committed, waiting for the tracking engine
  open,         // confirmed by the tracking engine
  open_offline, // admitted under the offline policy; the open request is in the outbox
  denied,       // the engine refused (shopper_blocked, conflict) or policy denied
  cancelled,    // grant expired or cancelled before anyone passed
};

[[nodiscard]] std::string_view to_string(SessionState s);
// The state named `name` (as to_string writes it), if any.
[[nodiscard]] std::optional<SessionState> session_state_from_string(std::string_view name);

struct SessionRecord {
  std::string session_id;
  std::string token_id;            // jti
  std::int64_t token_expires_at = 0;  // Unix s; the jti is kept at least until exp + skew
  int lane = 0;
  std::string shopper;             // sub
  int group_size = 1;
  std::string admitted_at;         // RFC 3339 ms
  std::int64_t created_at_ms = 0;  // Unix ms
  bool offline = false;
  SessionState state = SessionState::opening;
  std::string open_request;        // the exact JSON body of POST /v1/sessions (for retries)
  std::string denial_reason;       // set by mark_denied, empty otherwise
  // The token's payment reference sealed with AES-256-GCM (crypto/payment_sealer.hpp) and
  // the id of the key that sealed it; empty when the session has none.
  std::string pay_key_id;
  std::vector<std::uint8_t> pay_sealed;
  std::int64_t refused_at_ms = 0;  // 0, or when the tracking engine refused it (close_refused_open)
};

class SessionStore {
 public:
  explicit SessionStore(Database& db) : db_(db) {}

  // The database, for a caller that makes its state changes relaxed (Database::relaxed).
  [[nodiscard]] Database& database() { return db_; }

  // True if this jti was already accepted (and not released).
  [[nodiscard]] Result<bool> token_used(const std::string& token_id);
  // A session to begin, and its open request (queued with s.created_at_ms).
  struct NewSession {
    SessionRecord record;
    OutboxMessage open_request;
  };
  // Inserts each session (state opening, whatever its state says), marks its jti used and
  // queues its open request, all in ONE transaction (one synced commit). Each session has its
  // own outcome: error "replayed" if its jti is already used (also by an earlier session of
  // the same call); "expired" if the token's end (token_expires_at) lies more than
  // kUsedTokenMarginS before the purge's mark, so its id may have been forgotten already (a
  // wall clock behind the gate's own records); nothing of that session is written then. An
  // error of the whole call (the transaction failed) means none was written.
  [[nodiscard]] Result<std::vector<Status>> begin_all(const std::vector<NewSession>& sessions);
  // begin_all with one session, its outcome as the result.
  [[nodiscard]] Status begin(const SessionRecord& s, const OutboxMessage& open_request);
  // For another store's transaction (a card entry's admission, db/card_attempt_store.hpp):
  // begins `n` as begin_all begins each session, its outcome as the result (nothing of it
  // written on an error). Throws SQLite::Exception, so call it only inside guarded().
  [[nodiscard]] static Status begin_within(Database& db, const NewSession& n);

  // State changes: each checks the session's current state and fails with "wrong_state"
  // (nothing written) if the session is not in the state it leaves, or does not exist.
  // Where the open request of an `opening` session is concerned, "queued" below means: left
  // in the outbox where begin put it, or put there now if it is not (a session begun by an
  // older passgated, which queued nothing at begin).
  // opening -> open (the engine has it), its open request removed from the outbox. With
  // `unclaimed`, the session is marked unverified and the store-wide claims it names are owed
  // (StoreClaimsPending::owe_claims_within), in the same transaction.
  [[nodiscard]] Status mark_open(const std::string& session_id, StoreUnclaimed unclaimed = {});
  // opening -> open_offline (and offline = true), its open request queued, atomically;
  // `unclaimed` as mark_open.
  [[nodiscard]] Status mark_open_offline(const std::string& session_id, const OutboxMessage& open_request,
                                         std::int64_t now_ms, StoreUnclaimed unclaimed = {});
  // opening -> denied, its open request removed from the outbox (never sent, or refused).
  // With release_token the jti is freed again (nobody was admitted and the shopper may retry
  // the same code, e.g. when the engine was unreachable). In the same transaction its entry
  // hold, if queued and never sent (e.g. during the gateway's 429 pause), is finished unsent
  // (PaymentQueue::finish_unsent_preauth, at `now_ms`).
  [[nodiscard]] Status mark_denied(const std::string& session_id, const std::string& reason, bool release_token,
                                   std::int64_t now_ms);
  // opening -> denied after the session's open request reached the tracking engine without a
  // usable answer (it may have created the session): its open request queued and then the
  // cancel, with the denial, atomically, so the engine ends with the session cancelled and
  // never bills it. release_token and the unsent entry hold as mark_denied.
  [[nodiscard]] Status deny_after_open(const std::string& session_id, const std::string& reason, bool release_token,
                                       const OutboxMessage& open_request, const OutboxMessage& cancel,
                                       std::int64_t now_ms);
  // The tracking engine refused (or conflicted with) the queued open request `message_id` of
  // `session_id`, in one transaction: the message leaves the outbox; an open_offline session
  // not refused yet is marked refused (refused_at_ms: its hold is voided, any cart of it
  // quarantined) and true is returned; a session the gate had denied or cancelled keeps
  // its state, and the cancel queued after that open request (`cancel_target`) leaves the
  // outbox too, since the engine never had the session.
  [[nodiscard]] Result<bool> close_refused_open(std::int64_t message_id, const std::string& session_id,
                                                const std::string& cancel_target, std::int64_t now_ms);
  // The sealed payment references the gate may still have to open: those of sessions not yet
  // settled that may still get a cart (opening, open, open_offline and not refused), and of
  // sessions with a preauth or charge that may still be sent (pending, in flight, or a dead
  // letter an operator may retry) or an open quarantined cart an operator may charge. And the
  // card sessions' references (card_attempts: customer, PaymentIntent, saved card, each sealed
  // alone): of admitted attempts whose session is not settled yet, or has a payment operation
  // that may still be sent or followed up (pending, in flight, or a dead letter); and of every
  // attempt not final yet (armed, tapped, held, abandoning: its hold may still be voided).
  struct SealedReference {
    std::string session_id;
    std::string key_id;
    std::vector<std::uint8_t> sealed;
    bool single = false;  // one reference sealed alone (a card session's), not a customer + method pair
  };
  [[nodiscard]] Result<std::vector<SealedReference>> sealed_references_in_use();
  // How many sessions were refused by the tracking engine since `since_ms`.
  [[nodiscard]] Result<std::int64_t> refused_since(std::int64_t since_ms);
  // open|open_offline -> cancelled, with the cancel message into the outbox, atomically; an
  // entry hold the gateway cannot have run is finished unsent in the same transaction
  // (PaymentQueue::finish_unsent_preauth, kHoldNotSentCancelled).
  [[nodiscard]] Status mark_cancelled(const std::string& session_id, const OutboxMessage& cancel, std::int64_t now_ms);
  // mark_cancelled within the caller's transaction (an operator's cancel, db/session_cancel.hpp).
  // Throws SQLite::Exception, so call it only inside guarded().
  [[nodiscard]] static Status cancel_within(Database& db, const std::string& session_id, const OutboxMessage& cancel,
                                            std::int64_t now_ms);
  // opening -> cancelled, for a session a restart interrupted before its admission was
  // decided: its open request queued and then the cancel, atomically, so the engine ends with
  // the session cancelled whether or not it saw the first request. The jti stays used. Its
  // entry hold, if never sent, is finished unsent as in mark_denied.
  [[nodiscard]] Status abandon_opening(const std::string& session_id, const OutboxMessage& open_request,
                                       const OutboxMessage& cancel, std::int64_t now_ms);
  // The newest session of `shopper` begun before `except_session` (every other one, if that
  // is not a session) that is still open at this store (anti-passback): being admitted or
  // admitted (opening, open, open_offline), and neither cancelled nor ended (no final cart, no
  // settlement). Empty if there is none. Only sessions begun before count, so of two scans of
  // one shopper begun in the same transaction (group commit) the first keeps the second out,
  // as if they had been begun one after the other, and never both each other. Sessions in
  // `denied` are left out: ones the caller has denied whose denial the database has not taken
  // yet (still `opening` on disk).
  [[nodiscard]] Result<std::optional<std::string>> open_session_of(const std::string& shopper,
                                                                 const std::string& except_session,
                                                                 const std::vector<std::string>& denied = {});
  // Sessions admitted offline or unverified (without the store-wide claim), each once, not
  // denied afterwards, with since_ms <= created_at_ms <= until_ms,
  // counted up to `limit` (the hourly cap: whether it is reached is all the caller needs).
  [[nodiscard]] Result<int> offline_admissions_since(std::int64_t since_ms,
                                                     std::int64_t until_ms = std::numeric_limits<std::int64_t>::max(),
                                                     int limit = std::numeric_limits<int>::max());
  [[nodiscard]] Result<std::optional<SessionRecord>> find(const std::string& session_id);
  // Sessions in state `s`, oldest first.
  [[nodiscard]] Result<std::vector<SessionRecord>> in_state(SessionState s);
  // Every session, oldest first.
  [[nodiscard]] Result<std::vector<SessionRecord>> all();
  // Forgets the jtis whose retention (their token's end + kUsedTokenRetentionS) ended
  // before `by_s` (sessions are kept), and raises the purge's high-water mark to `by_s`, in
  // one transaction; the mark survives restarts (gate_status "used_tokens_purged_by_s").
  // A `by_s` below the mark (the clock stepped back) forgets nothing and keeps the mark.
  [[nodiscard]] Result<TokenPurgeOutcome> purge_used_tokens(std::int64_t by_s);
  // The purge's high-water mark (Unix s): the latest time jtis were purged by; 0 before any.
  [[nodiscard]] Result<std::int64_t> token_purge_mark();
  // The latest created_at_ms of any session (0 if none): the wall time of the newest
  // admission, which a token signed by the issuer's clock vouched for within its lifetime.
  [[nodiscard]] Result<std::int64_t> latest_session_ms();

 private:
  Database& db_;
};

}  // namespace passgate::db
