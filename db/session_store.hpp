// SessionStore: shopper sessions and the used entry-token ids (jti), durably.
// A session row and its token id are written in one transaction before the barrier is
// released, so neither a crash nor a restart reopens a replay window. State changes that
// also send a message to the tracking engine write the outbox row in the same transaction.
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

  // True if this jti was already accepted (and not released).
  [[nodiscard]] Result<bool> token_used(const std::string& token_id);
  // Inserts the session (state opening, whatever s.state says) and marks its jti used, in
  // one transaction. Error code "replayed" if the jti is already used; "expired" if the
  // token's end (s.token_expires_at) lies more than kUsedTokenMarginS before the purge's
  // mark, so its id may have been forgotten already (a wall clock behind the gate's own
  // records); nothing is written then.
  [[nodiscard]] Status begin(const SessionRecord& s);

  // State changes: each checks the session's current state and fails with "wrong_state"
  // (nothing written) if the session is not in the state it leaves, or does not exist.
  // opening -> open.
  [[nodiscard]] Status mark_open(const std::string& session_id);
  // opening -> open_offline (and offline = true), and the session's open request into the
  // outbox, atomically.
  [[nodiscard]] Status mark_open_offline(const std::string& session_id, const OutboxMessage& open_request,
                                         std::int64_t now_ms);
  // opening -> denied. With release_token the jti is freed again (nobody was admitted and
  // the shopper may retry the same code, e.g. when the engine was unreachable).
  [[nodiscard]] Status mark_denied(const std::string& session_id, const std::string& reason, bool release_token);
  // opening -> denied after the session's open request reached the tracking engine without a
  // usable answer (it may have created the session): its open request and then the cancel
  // go into the outbox with the denial, atomically, so the engine ends with the session
  // cancelled and never bills it. release_token as mark_denied.
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
  // letter an operator may retry) or an open quarantined cart an operator may charge.
  struct SealedReference {
    std::string session_id;
    std::string key_id;
    std::vector<std::uint8_t> sealed;
  };
  [[nodiscard]] Result<std::vector<SealedReference>> sealed_references_in_use();
  // How many sessions were refused by the tracking engine since `since_ms`.
  [[nodiscard]] Result<std::int64_t> refused_since(std::int64_t since_ms);
  // open|open_offline -> cancelled, with the cancel message into the outbox, atomically.
  [[nodiscard]] Status mark_cancelled(const std::string& session_id, const OutboxMessage& cancel, std::int64_t now_ms);
  // opening -> cancelled, for a session a restart interrupted before its admission was
  // decided: its open request and then the cancel go into the outbox, atomically, so the
  // engine ends with the session cancelled whether or not it saw the first request. The
  // jti stays used.
  [[nodiscard]] Status abandon_opening(const std::string& session_id, const OutboxMessage& open_request,
                                       const OutboxMessage& cancel, std::int64_t now_ms);
  // The newest session of `shopper` other than `except_session` that is still open at this
  // store (anti-passback): being admitted or admitted (opening, open, open_offline), and
  // neither cancelled nor ended (no final cart, no settlement). Empty if there is none.
  [[nodiscard]] Result<std::optional<std::string>> open_session_of(const std::string& shopper,
                                                                   const std::string& except_session);
  // Sessions admitted offline (not denied afterwards) with since_ms <= created_at_ms <= until_ms.
  [[nodiscard]] Result<int> offline_admissions_since(
      std::int64_t since_ms, std::int64_t until_ms = std::numeric_limits<std::int64_t>::max());
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
